import { ExpiringLru } from '@reelay/platform';
import type { VideoInfoRecord } from '@reelay/projector';

export interface VideoRecordCacheOptions {
  /** The most rows kept; the least recently read goes first. 0 turns the cache off. */
  readonly maxEntries: number;
  /**
   * How long a row may be served without a read. Invalidation comes from the projector's NOTIFY,
   * so this only bounds how stale a row can get when a notification is lost without the LISTEN
   * connection noticing (a half-open TCP connection).
   */
  readonly ttlMs: number;
  readonly now?: () => number;
}

/**
 * The read model's rows kept in memory between polls. Every phone polls its video about once a
 * second while it uploads and the rows change far less often than that, so most reads can be
 * answered without a round trip to Postgres.
 *
 * Correctness rests on two rules. The cache is used only while the process LISTENs for the
 * projector's change notifications (`setEnabled`); every notification drops its row. And a row
 * read from the database is kept only if no notification arrived while it was being read
 * (`stamp` before the read, `remember` after): otherwise a read that began before a change but
 * returned after its notification would keep the old row.
 */
export class VideoRecordCache {
  private readonly entries: ExpiringLru<string, VideoInfoRecord>;
  private invalidations = 0;
  private enabled = false;

  constructor(private readonly options: VideoRecordCacheOptions) {
    this.entries = new ExpiringLru(options);
  }

  /** The row if it is cached and fresh. */
  get(videoId: string): VideoInfoRecord | undefined {
    return this.entries.get(videoId);
  }

  /** Taken before a database read; hand it to `remember` with the row read. */
  stamp(): number {
    return this.invalidations;
  }

  /** Keeps a row read from the database, unless anything was invalidated since `stamp`. */
  remember(videoId: string, record: VideoInfoRecord, stamp: number): void {
    if (!this.enabled || this.options.maxEntries === 0 || stamp !== this.invalidations) return;
    this.entries.set(videoId, record, this.entries.now() + this.options.ttlMs);
  }

  /** The row changed (a notification): drop it, and refuse rows from reads already under way. */
  invalidate(videoId: string): void {
    this.invalidations += 1;
    this.entries.delete(videoId);
  }

  /**
   * On while change notifications arrive, off while they cannot. Either way everything cached is
   * dropped: notifications sent while the connection was down are lost.
   */
  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
    this.invalidations += 1;
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
