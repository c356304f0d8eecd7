import pg from 'pg';
import { backoffDelay, type BackoffPolicy } from '@reelay/contracts';
import type { Logger } from '@reelay/platform';

/**
 * The one Postgres session that holds every tus upload lock of a process and LISTENs for requests
 * to release one. If it fails (terminated, Postgres restarted, a query timed out), every lock it
 * held is gone: `onLost` is told at once, and the session is opened again with a backoff.
 *
 * Needs a session of its own: a direct connection (or a session-pooling proxy), not a
 * transaction-pooling one, as LISTEN does anyway.
 */
export interface LockConnectionOptions {
  readonly connectionString: string;
  readonly logger: Logger;
  readonly applicationName?: string;
  /** The NOTIFY channel asking a holder to release. */
  readonly channel: string;
  /** Another process asked for `uploadId`'s lock. */
  readonly onReleaseAsked: (uploadId: string) => void;
  /** `session` died, and every lock it held with it; returns how many locks that was, for the log. */
  readonly onLost: (session: LockSession) => number;
}

export interface LockSession {
  readonly client: pg.Client;
  readonly pid: number;
  alive: boolean;
}

const RECONNECT: BackoffPolicy = { initialMs: 100, maxMs: 5_000, jitter: 'none' };
/** A lock query this slow means a half-open connection: drop it (and its locks) rather than hang. */
const QUERY_TIMEOUT_MS = 10_000;

export class LockConnection {
  /** The open session, if any. */
  session: LockSession | undefined;
  private connecting: Promise<void> | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private failedReconnects = 0;
  private stopped = false;

  constructor(private readonly options: LockConnectionOptions) {}

  /** Opens the session; fails when Postgres cannot be reached. */
  async start(): Promise<void> {
    this.connecting = this.connect();
    try {
      await this.connecting;
    } finally {
      this.connecting = undefined;
    }
  }

  /** Closes the session, which releases any lock still held, and opens none again. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    await this.connecting?.catch(() => undefined);
    const session = this.session;
    this.session = undefined;
    if (!session) return;
    session.alive = false;
    await session.client.end().catch(() => undefined);
  }

  /** Resolves while the session answers, rejects while it is down and being reopened. */
  async ready(): Promise<void> {
    const session = this.session;
    if (!session?.alive) throw new Error('the tus lock connection is down; reopening it');
    if (!(await this.query(session, 'select 1 as ok', []))) throw new Error('the tus lock connection failed; reopening it');
  }

  /** One query on `session`; on any error the session is dropped (a lock's state would be unknown). */
  async query<R extends pg.QueryResultRow>(session: LockSession, text: string, values: unknown[]): Promise<R | undefined> {
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
    let session: LockSession | undefined;
    const dropped = (error?: Error) => {
      if (error) this.options.logger.warn({ err: error }, 'the tus lock connection failed');
      if (session) this.lost(session);
      else client.end().catch(() => undefined);
    };
    client.on('error', dropped);
    client.on('end', () => dropped());
    client.on('notification', (message) => {
      // Our own NOTIFY (a waiter here) must not make a holder here let go: that was handled locally.
      if (message.channel !== this.options.channel || !message.payload || message.processId === session?.pid) return;
      this.options.onReleaseAsked(message.payload);
    });
    try {
      await client.connect();
      await client.query(`listen ${pg.escapeIdentifier(this.options.channel)}`);
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
    this.failedReconnects = 0;
  }

  /** The session is gone, and every lock it held: the locker is told, and a new one is opened. */
  private lost(session: LockSession): void {
    if (!session.alive) return;
    session.alive = false;
    if (this.session === session) this.session = undefined;
    session.client.end().catch(() => undefined);
    const locksLost = this.options.onLost(session);
    if (this.stopped) return;
    this.options.logger.warn({ locksLost }, 'the tus lock connection is gone; reconnecting');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    this.failedReconnects += 1;
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
    }, backoffDelay(this.failedReconnects, RECONNECT));
  }
}
