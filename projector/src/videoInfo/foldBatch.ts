import type { RecordedVideoEvent } from '@reelay/contracts';
import { applyToVideoInfo } from './applyToVideoInfo';
import type { VideoInfo } from './videoInfo';

/** One event of the batch together with the video whose stream it belongs to. */
export interface VideoEventOfBatch {
  readonly videoId: string;
  readonly event: RecordedVideoEvent;
}

export interface FoldedBatch {
  /** The rows the batch changed, by video id; a row the batch left as it was is not here. */
  readonly changed: ReadonlyMap<string, VideoInfo>;
  /**
   * Videos where an event arrived ahead of its predecessor (revision beyond `lastRevision + 1`
   * after the whole batch): the log delivered a stream out of order or a predecessor is missing.
   * The fold ignored those events; the caller repairs such rows from the stream itself.
   */
  readonly gaps: ReadonlySet<string>;
}

/**
 * Folds a batch into the rows it touches. Each video's events are applied in revision order, so a
 * batch in which the global order interleaved one stream's events differently still folds right.
 */
export function foldBatch(rows: ReadonlyMap<string, VideoInfo>, events: readonly VideoEventOfBatch[]): FoldedBatch {
  const byVideo = new Map<string, RecordedVideoEvent[]>();
  for (const { videoId, event } of events) {
    const list = byVideo.get(videoId);
    if (list) list.push(event);
    else byVideo.set(videoId, [event]);
  }

  const changed = new Map<string, VideoInfo>();
  const gaps = new Set<string>();
  for (const [videoId, videoEvents] of byVideo) {
    const before = rows.get(videoId);
    const after = foldInOrder(before, videoEvents);
    if (after && after !== before) changed.set(videoId, after);
    const lastRevision = after?.lastRevision ?? -1;
    if (videoEvents.some((event) => event.revision > lastRevision + 1)) gaps.add(videoId);
  }
  return { changed, gaps };
}

/** Applies a stream's events in revision order; the events are not assumed to arrive sorted. */
export function foldInOrder(row: VideoInfo | undefined, events: readonly RecordedVideoEvent[]): VideoInfo | undefined {
  return [...events].sort((a, b) => a.revision - b.revision).reduce(applyToVideoInfo, row);
}
