import type { VideoChangeListener } from '../readModel/videoChangeListener';
import type { VideoInfoRecord } from '@reelay/projector';
import { ifNoneMatchMatches, videoEtag } from './etag';

/** While the LISTEN connection is down, how often a held request re-reads the row instead. */
export const DEGRADED_RECHECK_MS = 1000;

export interface AwaitNewVersionOptions {
  readonly videoId: string;
  /** The client's `If-None-Match`: the versions it already has. */
  readonly ifNoneMatch: string;
  readonly waitMs: number;
  readonly changes: VideoChangeListener;
  /** Reads the current row; undefined if it is gone (treated as "nothing new"). */
  readonly load: () => Promise<VideoInfoRecord | undefined>;
  /** Aborted when the client disconnects: the wait ends and frees its waiter. */
  readonly signal: AbortSignal;
}

/**
 * Holds a request until the video has a version the client does not have yet, or the wait is
 * over, the client went away, or the process is closing. Returns the newest row seen (or
 * undefined if it vanished); the caller answers 200 or 304 by comparing its ETag again.
 *
 * The waiter is registered before the first read, so no change can slip in between, and
 * re-reading after each wake makes a notification only a hint: a lost or spurious one costs at most a query, never a wrong answer.
 */
export async function awaitNewVersion(options: AwaitNewVersionOptions): Promise<VideoInfoRecord | undefined> {
  const { changes, signal } = options;
  const deadline = Date.now() + options.waitMs;
  const waiter = changes.watch(options.videoId);
  try {
    for (;;) {
      await changes.ensureListening();
      const current = await options.load();
      if (!current || !ifNoneMatchMatches(options.ifNoneMatch, videoEtag(current))) return current;
      const remaining = deadline - Date.now();
      if (remaining <= 0) return current;
      const slice = changes.isListening() ? remaining : Math.min(remaining, DEGRADED_RECHECK_MS);
      const reason = await waiter.next(slice, signal);
      // Nobody is left to answer; nothing more to read.
      if (reason === 'aborted') return current;
      // The process is closing: answer now with what is there.
      if (reason === 'closed') return options.load();
      // 'changed' or 'timeout': read again at the top; after the deadline that read decides.
    }
  } finally {
    waiter.cancel();
  }
}
