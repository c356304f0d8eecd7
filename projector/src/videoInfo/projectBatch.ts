import type { Knex } from 'knex';
import { asVideoEvent, comparePositions, videoIdOfStream, videoStreamName, type Position, type RecordedEvent, type RecordedVideoEvent } from '@reelay/contracts';
import type { PersonalDataVault } from '@reelay/platform';
import type { CheckpointedBatch, EventStore } from '@reelay/event-store';
import { openPersonalData } from '../personalData/openPersonalData';
import { foldBatch, foldInOrder, type VideoEventOfBatch } from './foldBatch';
import { activeTable } from '../readModel/projectionVersions';
import { VIDEO_INFO_PROJECTION, type VideoInfo } from './videoInfo';
import { loadVideoInfoForUpdate, notifyVideoInfoChanged, upsertVideoInfo } from './videoInfoTable';

export interface BatchOutcome {
  /** The video events of the batch, validated; events of other streams are left out. */
  readonly events: readonly RecordedVideoEvent[];
  /** The videos whose rows changed (and were notified). */
  readonly changedVideoIds: readonly string[];
  /** Videos whose rows had to be repaired from their stream because the batch skipped a revision. */
  readonly repairedVideoIds: readonly string[];
}

export interface ProjectBatchContext {
  readonly knex: Knex;
  /** Read only to repair a row whose stream reached the batch out of order (see `FoldedBatch.gaps`). */
  readonly store: Pick<EventStore, 'readStream'>;
  /** Opens sealed personal fields before they are folded (see openPersonalData). */
  readonly personalData?: PersonalDataVault;
}

/** The batch's events of `video-<id>` streams, validated against the contracts. */
function videoEventsOf(events: readonly RecordedEvent[]): VideoEventOfBatch[] {
  const result: VideoEventOfBatch[] = [];
  for (const event of events) {
    const videoId = videoIdOfStream(event.streamName);
    // A malformed event throws here and stops the batch: skipping it would lose a change for good.
    if (videoId) result.push({ videoId, event: asVideoEvent(event) });
  }
  return result;
}

/** Where `applyVideoEvents` writes: a version's table, told to listeners or not. */
export interface VideoInfoTarget {
  /** A version of `video_info` (`video_info_vN`), never the view. */
  readonly table: string;
  /** Whether listeners (the query API's long-polls) hear of the changed rows: only when served. */
  readonly notify: boolean;
  /** Repairs read streams only up to here, for a replay that must stop at a fixed position. */
  readonly until?: Position;
  /** Opens sealed personal fields before they are folded (see openPersonalData). */
  readonly personalData?: PersonalDataVault;
}

/**
 * Applies one batch of the global log to `video_info` in ONE transaction, the batch's
 * checkpointed one: the rows the batch touches are locked, folded in memory and written in bulk,
 * and a notification goes out per changed video, all committing with the checkpoint or not at all.
 * The active version is read inside the transaction, after the checkpoint row is locked: a
 * rebuild switches versions holding that lock, so a batch writes either wholly before a switch
 * into the old version (which the switch then catches up from the log) or wholly after it into
 * the new one, never into a version that is no longer served.
 */
export async function projectBatch(
  context: ProjectBatchContext,
  events: readonly RecordedEvent[],
  batch: Pick<CheckpointedBatch, 'transaction'>,
): Promise<BatchOutcome> {
  return batch.transaction(async (trx) => {
    if (!events.some((event) => videoIdOfStream(event.streamName))) return { events: [], changedVideoIds: [], repairedVideoIds: [] };
    const table = await activeTable(trx, VIDEO_INFO_PROJECTION);
    return applyVideoEvents(trx, context.store, { table, notify: true, personalData: context.personalData }, events);
  });
}

/** Folds `events` into the rows of `target.table` inside `trx` (which also moves a checkpoint). */
export async function applyVideoEvents(
  trx: Knex.Transaction,
  store: ProjectBatchContext['store'],
  target: VideoInfoTarget,
  events: readonly RecordedEvent[],
): Promise<BatchOutcome> {
  const sealedVideoEvents = videoEventsOf(events);
  if (sealedVideoEvents.length === 0) return { events: [], changedVideoIds: [], repairedVideoIds: [] };
  const opened = await openPersonalData(target.personalData, trx, sealedVideoEvents.map((e) => e.event));
  const videoEvents = sealedVideoEvents.map((e, index) => ({ videoId: e.videoId, event: opened[index] as RecordedVideoEvent }));

  const videoIds = [...new Set(videoEvents.map((e) => e.videoId))];
  const rows = await loadVideoInfoForUpdate(trx, target.table, videoIds);
  const { changed, gaps } = foldBatch(rows, videoEvents);
  const repaired = await repairFromStreams(store, gaps, (videoId) => changed.get(videoId) ?? rows.get(videoId), target.until, (stream) =>
    openPersonalData(target.personalData, trx, stream),
  );
  const written = new Map<string, VideoInfo>([...changed, ...repaired]);

  await upsertVideoInfo(trx, target.table, [...written.values()]);
  if (target.notify) await notifyVideoInfoChanged(trx, [...written.keys()]);
  return { events: videoEvents.map((e) => e.event), changedVideoIds: [...written.keys()], repairedVideoIds: [...repaired.keys()] };
}

/**
 * Folds the whole stream of each video in `videoIds` over its current row. Only reached when the
 * global order handed over a stream's events with a hole in their revisions; the stream is the
 * truth, and events folded early here are ignored by revision when the log delivers them later.
 */
async function repairFromStreams(
  store: ProjectBatchContext['store'],
  videoIds: ReadonlySet<string>,
  current: (videoId: string) => VideoInfo | undefined,
  until: Position | undefined,
  open: (stream: RecordedVideoEvent[]) => Promise<RecordedVideoEvent[]>,
): Promise<Map<string, VideoInfo>> {
  const repaired = new Map<string, VideoInfo>();
  for (const videoId of videoIds) {
    const before = current(videoId);
    const stream = await store.readStream(videoStreamName(videoId));
    const upTo = until ? stream.filter((event) => comparePositions(event.position, until) <= 0) : stream;
    const after = foldInOrder(before, await open(upTo.map(asVideoEvent)));
    if (after && after !== before) repaired.set(videoId, after);
  }
  return repaired;
}
