import pg from 'pg';
import type { Logger } from '@reelay/platform';
import { ChangeWaiter } from './changeWaiter';
// The read model is the projector's: its table and the channel it notifies changes on.
import { VIDEO_INFO_CHANGED_CHANNEL } from '@reelay/projector';

export interface VideoChangeListenerOptions {
  readonly connectionString: string;
  readonly logger: Logger;
  /** Called for each notification before any waiter wakes, so a waiter's re-read sees the change. */
  readonly onChange?: (videoId: string) => void;
  /** Called when notifications start or stop arriving (connected and LISTENing, or dropped). */
  readonly onListeningChange?: (listening: boolean) => void;
}

/**
 * The process's single LISTEN connection on `video_info_changed`, shared by every long-poll (a
 * map from video id to the waiters of that video) and by the row cache (`onChange`,
 * `onListeningChange`). It connects on first use; when the connection
 * drops it wakes every waiter, whose next round reconnects and reads again. While it cannot
 * reconnect `isListening()` is false and long-polls fall back to re-reading on a short
 * interval, so they stay correct, only slower to notice.
 */
export class VideoChangeListener {
  private readonly waiters = new Map<string, Set<ChangeWaiter>>();
  private client: pg.Client | undefined;
  private connecting: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly options: VideoChangeListenerOptions) {}

  /** Registers interest in `videoId` before the caller reads it, so no change can slip between. */
  watch(videoId: string): ChangeWaiter {
    const waiter: ChangeWaiter = new ChangeWaiter(() => this.forget(videoId, waiter));
    if (this.closed) {
      waiter.wake('closed');
      return waiter;
    }
    const set = this.waiters.get(videoId) ?? new Set<ChangeWaiter>();
    set.add(waiter);
    this.waiters.set(videoId, set);
    return waiter;
  }

  isListening(): boolean {
    return this.client !== undefined;
  }

  /** The number of requests waiting now (for /metrics). */
  waitingCount(): number {
    let count = 0;
    for (const set of this.waiters.values()) count += set.size;
    return count;
  }

  /** Connects and LISTENs unless already done; a failure is logged, and the next call retries. */
  ensureListening(): Promise<void> {
    if (this.closed || this.client) return Promise.resolve();
    this.connecting ??= this.connect()
      .catch((error: unknown) => this.options.logger.warn({ err: error }, 'cannot LISTEN for video changes; long-polls fall back to re-reading'))
      .finally(() => {
        this.connecting = undefined;
      });
    return this.connecting;
  }

  /** Wakes every waiter with `closed` and drops the connection. */
  async close(): Promise<void> {
    this.closed = true;
    this.wakeAll('closed');
    await this.connecting;
    const client = this.client;
    this.client = undefined;
    if (client) this.options.onListeningChange?.(false);
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.connectionString, application_name: 'reelay-query-api-listen' });
    // Once dropped, the next ensureListening() (each held request calls it per round) reconnects.
    client.on('error', (error) => {
      this.options.logger.warn({ err: error }, 'the LISTEN connection for video changes dropped');
      client.end().catch(() => undefined);
    });
    client.on('end', () => {
      if (this.client !== client) return;
      this.client = undefined;
      this.options.onListeningChange?.(false);
      // Notifications sent while it is down are lost: every waiter reads again, and reconnects.
      this.wakeAll('changed');
    });
    client.on('notification', (message) => {
      if (!message.payload) return;
      this.options.onChange?.(message.payload);
      for (const waiter of this.waiters.get(message.payload) ?? []) waiter.wake('changed');
    });
    await client.connect();
    try {
      await client.query(`listen ${pg.escapeIdentifier(VIDEO_INFO_CHANGED_CHANNEL)}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await client.end();
      return;
    }
    this.client = client;
    this.options.onListeningChange?.(true);
  }

  private wakeAll(reason: 'changed' | 'closed'): void {
    for (const set of this.waiters.values()) for (const waiter of set) waiter.wake(reason);
  }

  private forget(videoId: string, waiter: ChangeWaiter): void {
    const set = this.waiters.get(videoId);
    if (!set) return;
    set.delete(waiter);
    if (set.size === 0) this.waiters.delete(videoId);
  }
}
