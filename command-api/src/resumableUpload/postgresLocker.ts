import { createHash } from 'node:crypto';
import pg from 'pg';
import { ERRORS, type Lock, type Locker, type RequestRelease } from '@tus/utils';
import { abortableSleep, type Logger } from '@reelay/platform';

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
 * - Pool usage: one connection per process, whatever the number of uploads. It holds every lock
 *   of the process and LISTENs. A connection per held lock would tie Postgres connections to the
 *   uploads in flight, minutes each from a phone, and cap them at the pool's size. Within the
 *   process an in-memory map makes the locks exclusive (advisory locks are re-entrant within a
 *   session); the database makes them exclusive between processes.
 * - If that connection fails (terminated, Postgres restarted, a query timed out), every lock it
 *   held is gone: each holder is asked to release at once, its unlock does not touch Postgres,
 *   and the connection is opened again with a backoff. Meanwhile waiters keep waiting.
 *
 * Needs a session of its own: a direct connection (or a session-pooling proxy), not a
 * transaction-pooling one, as LISTEN does anyway.
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
const MIN_POLL_MS = 20;
const MAX_POLL_MS = 250;
const MAX_RECONNECT_DELAY_MS = 5_000;
/** A lock query this slow means a half-open connection: drop it (and its locks) rather than hang. */
const QUERY_TIMEOUT_MS = 10_000;

/** The advisory lock key of an upload: 64 bits of SHA-256, as a decimal bigint. */
export function lockKeyOf(id: string): string {
  return createHash('sha256').update(`reelay.tus:${id}`).digest().readBigInt64BE(0).toString();
}

interface Session {
  readonly client: pg.Client;
  readonly pid: number;
  alive: boolean;
}

interface Holder {
  readonly requestRelease: RequestRelease;
  /** Undefined while Postgres is being asked. */
  session: Session | undefined;
  /** The session died: Postgres no longer holds this lock. */
  lost: boolean;
}

export class PostgresLocker implements Locker {
  private readonly holders = new Map<string, Holder>();
  private readonly channel: string;
  private readonly acquireTimeoutMs: number;
  private readonly askAgainMs: number;
  private session: Session | undefined;
  private connecting: Promise<void> | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectDelayMs = 100;
  private stopped = false;

  constructor(private readonly options: PostgresLockerOptions) {
    this.channel = options.channel ?? TUS_LOCK_CHANNEL;
    this.acquireTimeoutMs = options.acquireTimeoutMs ?? 30_000;
    this.askAgainMs = options.askAgainMs ?? 1_000;
  }

  /** Opens the connection; fails when Postgres cannot be reached. */
  async start(): Promise<void> {
    this.connecting = this.connect();
    try {
      await this.connecting;
    } finally {
      this.connecting = undefined;
    }
  }

  /** Closes the connection, which releases any lock still held; waiters fail with the lock timeout. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    await this.connecting?.catch(() => undefined);
    const session = this.session;
    this.session = undefined;
    if (!session) return;
    session.alive = false;
    for (const holder of this.holders.values()) if (holder.session === session) holder.lost = true;
    await session.client.end().catch(() => undefined);
  }

  /**
   * For `/readyz`: resolves while the lock connection answers, rejects while it is down and being
   * reopened. Without it no tus request can take its upload's lock (each would wait for the lock
   * timeout), so the balancer must send them to another process meanwhile.
   */
  async ready(): Promise<void> {
    const session = this.session;
    if (!session?.alive) throw new Error('the tus lock connection is down; reopening it');
    if (!(await this.query(session, 'select 1 as ok', []))) throw new Error('the tus lock connection failed; reopening it');
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
    let delayMs = MIN_POLL_MS;
    let askedAt = Number.NEGATIVE_INFINITY;
    for (;;) {
      if (signal.aborted || this.stopped) throw ERRORS.ERR_LOCK_TIMEOUT;
      const local = this.holders.get(id);
      if (!local) {
        // Claimed in this process before Postgres answers: a second local request waits for it.
        const holder: Holder = { requestRelease, session: undefined, lost: false };
        this.holders.set(id, holder);
        const session = this.session;
        const acquired = session ? await this.query<{ locked: boolean }>(session, 'select pg_try_advisory_lock($1::bigint) as locked', [key]) : undefined;
        if (session && acquired?.locked) {
          if (session.alive && !signal.aborted && !this.stopped) {
            holder.session = session;
            return holder;
          }
          this.holders.delete(id);
          if (session.alive) await this.query(session, 'select pg_advisory_unlock($1::bigint)', [key]);
          continue;
        }
        this.holders.delete(id);
      }
      if (Date.now() - askedAt >= this.askAgainMs) {
        askedAt = Date.now();
        await this.askToRelease(id, local);
      }
      await abortableSleep(delayMs, signal);
      delayMs = Math.min(delayMs * 2, MAX_POLL_MS);
    }
  }

  /** Lets go of a lock `acquire` returned. */
  private async release(id: string, holder: Holder): Promise<void> {
    if (this.holders.get(id) === holder) this.holders.delete(id);
    const session = holder.session;
    // With the session gone, Postgres has let go of the lock already.
    if (holder.lost || !session?.alive) return;
    const result = await this.query<{ unlocked: boolean }>(session, 'select pg_advisory_unlock($1::bigint) as unlocked', [lockKeyOf(id)]);
    if (result && !result.unlocked) this.options.logger.warn({ uploadId: id }, 'tus lock was not held by this process when released');
  }

  private async askToRelease(id: string, local: Holder | undefined): Promise<void> {
    if (local) {
      // Held here (or being taken here): only this process can hold it. One being taken is left alone.
      if (local.session) this.callRelease(id, local);
      return;
    }
    const session = this.session;
    if (session) await this.query(session, 'select pg_notify($1, $2)', [this.channel, id]);
  }

  private callRelease(id: string, holder: Holder): void {
    Promise.resolve()
      .then(() => holder.requestRelease())
      .catch((error: unknown) => this.options.logger.warn({ err: error, uploadId: id }, 'tus lock holder failed to release'));
  }

  /** One query on the session; on any error the session is dropped (a lock's state would be unknown). */
  private async query<R extends pg.QueryResultRow>(session: Session, text: string, values: unknown[]): Promise<R | undefined> {
    try {
      return (await session.client.query<R>(text, values)).rows[0];
    } catch (error) {
      this.options.logger.warn({ err: error }, 'tus lock query failed; dropping the lock connection');
      this.lost(session);
      return undefined;
    }
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.options.connectionString,
      application_name: this.options.applicationName ?? 'reelay-tus-locks',
      keepAlive: true,
      query_timeout: QUERY_TIMEOUT_MS,
      // A connect that never completes would leave the locker without a connection and no retry.
      connectionTimeoutMillis: QUERY_TIMEOUT_MS,
    });
    let session: Session | undefined;
    const dropped = (error?: Error) => {
      if (error) this.options.logger.warn({ err: error }, 'the tus lock connection failed');
      if (session) this.lost(session);
      else client.end().catch(() => undefined);
    };
    client.on('error', dropped);
    client.on('end', () => dropped());
    client.on('notification', (message) => {
      // Our own NOTIFY (a waiter here) must not make a holder here let go: that was handled locally.
      if (message.channel !== this.channel || !message.payload || message.processId === session?.pid) return;
      const holder = this.holders.get(message.payload);
      if (holder?.session) this.callRelease(message.payload, holder);
    });
    try {
      await client.connect();
      await client.query(`listen ${pg.escapeIdentifier(this.channel)}`);
      const pid = (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]?.pid ?? -1;
      session = { client, pid, alive: true };
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.stopped) {
      session.alive = false;
      await client.end().catch(() => undefined);
      return;
    }
    this.session = session;
    this.reconnectDelayMs = 100;
  }

  /** The session is gone, and every lock it held: holders are told, and a new one is opened. */
  private lost(session: Session): void {
    if (!session.alive) return;
    session.alive = false;
    if (this.session === session) this.session = undefined;
    session.client.end().catch(() => undefined);
    let count = 0;
    for (const [id, holder] of this.holders) {
      if (holder.session !== session) continue;
      holder.lost = true;
      count += 1;
      this.callRelease(id, holder);
    }
    if (this.stopped) return;
    this.options.logger.warn({ locksLost: count }, 'the tus lock connection is gone; reconnecting');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    const delay = this.reconnectDelayMs;
    this.reconnectDelayMs = Math.min(delay * 2, MAX_RECONNECT_DELAY_MS);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connecting = this.connect()
        .catch((error: unknown) => {
          this.options.logger.warn({ err: error }, 'cannot reopen the tus lock connection; trying again');
          this.scheduleReconnect();
        })
        .finally(() => {
          this.connecting = undefined;
        });
    }, delay);
  }
}
