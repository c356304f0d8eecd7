import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import pino from 'pino';
import { newEvent, comparePositions, videoStreamName, type Position } from '@reelay/contracts';
import { loadCheckpoint, openEventStore, type OpenedEventStore } from '@reelay/event-store';
import { createTestDatabase } from '@reelay/testing';
import { VIDEO_INFO_PROJECTION, VideoInfoProjection } from '@reelay/projector';

const PROGRESS_PER_UPLOAD = 8;
/** Requested, started, eight progress reports, completed. */
export const EVENTS_PER_UPLOAD = PROGRESS_PER_UPLOAD + 3;

/** A healthy upload's whole stream: requested, started, eight progress reports, completed. */
export function uploadStream(videoId: string) {
  const metadata = { correlationId: videoId, causationId: videoId, userId: `user-${videoId.slice(0, 4)}` };
  const size = 100 * 1024 * 1024;
  return [
    newEvent({ type: 'UploadRequested', data: { videoId: videoId as never, userId: metadata.userId as never, metaInfo: { title: 't', fileName: 'f.mp4', contentType: 'video/mp4', sizeBytes: size, sha256: 'a'.repeat(64) }, stagingRef: `file:///staging/${videoId}` } }, metadata),
    newEvent({ type: 'UploadStarted', data: { attempt: 1, bucket: 'b', objectKey: `videos/${videoId}` } }, metadata),
    ...Array.from({ length: PROGRESS_PER_UPLOAD }, (_, i) =>
      newEvent({ type: 'ProgressReported', data: { attempt: 1, uploadedBytes: ((i + 1) * size) / 10, totalBytes: size, percentage: (i + 1) * 10 } }, metadata),
    ),
    newEvent({ type: 'UploadCompleted', data: { attempt: 1, bucket: 'b', objectKey: `videos/${videoId}`, etag: 'e', sizeBytes: size, durationMs: 1000 } }, metadata),
  ];
}

export interface UploadLog {
  readonly events: OpenedEventStore;
  /** The log's last position once every upload is in. */
  readonly head: Position;
  /** How many events it holds. */
  readonly total: number;
}

/**
 * Runs `body` on an event log of its own holding `uploads` healthy uploads (appended eight streams at
 * a time), then drops it.
 */
export async function withUploadLog<T>(applicationName: string, uploads: number, body: (log: UploadLog) => Promise<T>): Promise<T> {
  const logDb = await createTestDatabase('reelay_bench_log');
  const events = await openEventStore({ EVENT_STORE_URL: logDb.url }, { applicationName, maxConnections: 8 });
  try {
    for (let i = 0; i < uploads; i += 8) {
      await Promise.all(
        Array.from({ length: Math.min(8, uploads - i) }, () => {
          const videoId = randomUUID();
          return events.store.appendToStream(videoStreamName(videoId), uploadStream(videoId), { expectedRevision: 'no_stream' });
        }),
      );
    }
    return await body({ events, head: await events.store.headPosition(), total: uploads * EVENTS_PER_UPLOAD });
  } finally {
    await events.close();
    await logDb.drop();
  }
}

/**
 * Starts the live projector on an empty, migrated read model and waits until its checkpoint reaches
 * the log's head. Resolves with the replay's rate and the projector, still running, for the caller to stop.
 */
export async function replayFromStart(knex: Knex, log: UploadLog, batchSize: number): Promise<{ eventsPerSecond: number; projection: VideoInfoProjection }> {
  const started = performance.now();
  const projection = new VideoInfoProjection({ knex, store: log.events.store, logger: pino({ level: 'silent' }), batchSize });
  projection.start();
  while (comparePositions(await loadCheckpoint(knex, VIDEO_INFO_PROJECTION), log.head) < 0) await new Promise((r) => setTimeout(r, 5));
  return { eventsPerSecond: log.total / ((performance.now() - started) / 1000), projection };
}
