import { createHash } from 'node:crypto';
import { ERRORS, type Lock, type Locker, type RequestRelease } from '@tus/utils';
import { abortableSleep, backoffDelay, type BackoffPolicy } from '@reelay/contracts';
import type { Logger } from '@reelay/platform';
import { LockConnection, type LockSession } from './lockConnection';

/**
 * @tus/server's upload locks shared by every command API process on one database, so that any
 * process may serve any request of an upload (no sticky routing).
 *
 * - An upload's lock is a session advisory lock, `pg_try_advisory_lock(<64 bits of SHA-256 of the
 *   upload id>)` (the one-key space: the event store's stream locks use the two-key one).
 * - A request that finds the lock taken asks its holder to let go, as MemoryLocker does: a holder
 *   in this process directly, one elsewhere by `NOTIFY <channel>, '<upload id>'`; every process
 *   LISTENs and calls its holder's `requestRelease`, which makes @tus/server end that request
 *   (after its lockDrainTimeout) and unlock. The waiter polls with a short backoff and asks again
 *   every `askAgainMs`, so a notification lost while a LISTEN reconnects costs that much.
 * - Pool usage: one connection per process (LockConnection), whatever the number of uploads. A
 *   connection per held lock would tie Postgres connections to the uploads in flight, minutes each
 *   from a phone, and cap them at the pool's size. Within the process an in-memory map makes the
 *   locks exclusive (advisory locks are re-entrant within a session); the database makes them
 *   exclusive between processes.
 * - If that connection fails, each holder is asked to release at once and its unlock does not
 *   touch Postgres; waiters keep waiting while the connection is opened again.
 */
export interface PostgresLockerOptions {
  readonly connectionString: string;
  readonly logger: Logger;
  readonly applicationName?: string;
  /** The NOTIFY channel asking a holder to release; every process of one deployment must agree. */
  readonly channel?: string;
  /** A lock not acquired by then fails with tus's lock timeout (500), as MemoryLocker's 30 s. */
  readonly acquireTimeoutMs?: number;
  /** How often a waiter asks the holder again. */
  readonly askAgainMs?: number;
}

export const TUS_LOCK_CHANNEL = 'reelay_tus_lock_release';
/** A waiter looks again soon (the holder usually lets go within a request), then every 250 ms. */
const POLL: BackoffPolicy = { initialMs: 20, maxMs: 250, jitter: 'none' };

/** The advisory lock key of an upload: 64 bits of SHA-256, as a decimal bigint. */
export function lockKeyOf(id: string): string {
  return createHash('sha256').update(`reelay.tus:${id}`).digest().readBigInt64BE(0).toString();
}

interface Holder {
  readonly requestRelease: RequestRelease;
  /** Undefined while Postgres is being asked. */
  session: LockSession | undefined;
  /** The session died: Postgres no longer holds this lock. */
  lost: boolean;
}

export class PostgresLocker implements Locker {
  private readonly holders = new Map<string, Holder>();
  private readonly connection: LockConnection;
  private readonly channel: string;
  private readonly acquireTimeoutMs: number;
  private readonly askAgainMs: number;
  private stopped = false;

  constructor(private readonly options: PostgresLockerOptions) {
    this.channel = options.channel ?? TUS_LOCK_CHANNEL;
    this.acquireTimeoutMs = options.acquireTimeoutMs ?? 30_000;
    this.askAgainMs = options.askAgainMs ?? 1_000;
    this.connection = new LockConnection({
      connectionString: options.connectionString,
      logger: options.logger,
      applicationName: options.applicationName,
      channel: this.channel,
      onReleaseAsked: (id) => {
        const holder = this.holders.get(id);
        if (holder?.session) this.callRelease(id, holder);
      },
      onLost: (session) => this.dropLocksOf(session),
    });
  }

  /** Opens the connection; fails when Postgres cannot be reached. */
  start(): Promise<void> {
    return this.connection.start();
  }

  /** Closes the connection, which releases any lock still held; waiters fail with the lock timeout. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.connection.stop();
  }

  /**
   * For `/readyz`: resolves while the lock connection answers, rejects while it is down and being
   * reopened. Without it no tus request can take its upload's lock (each would wait for the lock
   * timeout), so the balancer must send them to another process meanwhile.
   */
  ready(): Promise<void> {
    return this.connection.ready();
  }

  newLock(id: string): Lock {
    let holder: Holder | undefined;
    return {
      lock: async (stopSignal, requestRelease) => {
        holder = await this.acquire(id, stopSignal, requestRelease);
      },
      unlock: async () => {
        const held = holder;
        if (!held) throw new Error('Releasing an unlocked lock!');
        holder = undefined;
        await this.release(id, held);
      },
    };
  }

  /** Waits until this process holds `id`'s lock, asking its holder to release meanwhile. */
  private async acquire(id: string, stopSignal: AbortSignal, requestRelease: RequestRelease): Promise<Holder> {
    const key = lockKeyOf(id);
    const signal = AbortSignal.any([stopSignal, AbortSignal.timeout(this.acquireTimeoutMs)]);
    let tries = 0;
    let askedAt = Number.NEGATIVE_INFINITY;
    for (;;) {
      if (signal.aborted || this.stopped) throw ERRORS.ERR_LOCK_TIMEOUT;
      const local = this.holders.get(id);
      if (!local) {
        // Claimed in this process before Postgres answers: a second local request waits for it.
        const holder: Holder = { requestRelease, session: undefined, lost: false };
        this.holders.set(id, holder);
        const session = this.connection.session;
        const acquired = session ? await this.connection.query<{ locked: boolean }>(session, 'select pg_try_advisory_lock($1::bigint) as locked', [key]) : undefined;
        if (session && acquired?.locked) {
          if (session.alive && !signal.aborted && !this.stopped) {
            holder.session = session;
            return holder;
          }
          this.holders.delete(id);
          if (session.alive) await this.connection.query(session, 'select pg_advisory_unlock($1::bigint)', [key]);
          continue;
        }
        this.holders.delete(id);
      }
      if (Date.now() - askedAt >= this.askAgainMs) {
        askedAt = Date.now();
        await this.askToRelease(id, local);
      }
      tries += 1;
      await abortableSleep(backoffDelay(tries, POLL), signal);
    }
  }

  /** Lets go of a lock `acquire` returned. */
  private async release(id: string, holder: Holder): Promise<void> {
    if (this.holders.get(id) === holder) this.holders.delete(id);
    const session = holder.session;
    // With the session gone, Postgres has let go of the lock already.
    if (holder.lost || !session?.alive) return;
    const result = await this.connection.query<{ unlocked: boolean }>(session, 'select pg_advisory_unlock($1::bigint) as unlocked', [lockKeyOf(id)]);
    if (result && !result.unlocked) this.options.logger.warn({ uploadId: id }, 'tus lock was not held by this process when released');
  }

  private async askToRelease(id: string, local: Holder | undefined): Promise<void> {
    if (local) {
      // Held here (or being taken here): only this process can hold it. One being taken is left alone.
      if (local.session) this.callRelease(id, local);
      return;
    }
    const session = this.connection.session;
    if (session) await this.connection.query(session, 'select pg_notify($1, $2)', [this.channel, id]);
  }

  /** Every lock `session` held is gone: its holders are asked to let go at once. */
  private dropLocksOf(session: LockSession): number {
    let count = 0;
    for (const [id, holder] of this.holders) {
      if (holder.session !== session) continue;
      holder.lost = true;
      count += 1;
      this.callRelease(id, holder);
    }
    return count;
  }

  private callRelease(id: string, holder: Holder): void {
    Promise.resolve()
      .then(() => holder.requestRelease())
      .catch((error: unknown) => this.options.logger.warn({ err: error, uploadId: id }, 'tus lock holder failed to release'));
  }
}
