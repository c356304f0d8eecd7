import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { comparePositions, videoStreamName } from '@reelay/contracts';
import { createKnex, loadCheckpoint, newEvent, openEventStore } from '@reelay/platform';
import { createTestDatabase } from '@reelay/platform/testing';
import { VIDEO_INFO_PROJECTION, VideoInfoProjection, migrateReadModel } from '@reelay/projector';
import { stats, type BenchRow, type Scenario } from '../scenario';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const VIDEOS = Number(process.env.BENCH_REPLAY_VIDEOS ?? 1000);
const PROGRESS_PER_VIDEO = 8;
const BATCH = 500;

/** A healthy upload's whole stream: requested, started, eight progress reports, completed. */
export function uploadStream(videoId: string) {
  const metadata = { correlationId: videoId, causationId: videoId, userId: `user-${videoId.slice(0, 4)}` };
  const size = 100 * 1024 * 1024;
  return [
    newEvent({ type: 'UploadRequested', data: { videoId: videoId as never, userId: metadata.userId as never, metaInfo: { title: 't', fileName: 'f.mp4', contentType: 'video/mp4', sizeBytes: size, sha256: 'a'.repeat(64) }, stagingRef: `file:///staging/${videoId}` } }, metadata),
    newEvent({ type: 'UploadStarted', data: { attempt: 1, bucket: 'b', objectKey: `videos/${videoId}` } }, metadata),
    ...Array.from({ length: PROGRESS_PER_VIDEO }, (_, i) =>
      newEvent({ type: 'ProgressReported', data: { attempt: 1, uploadedBytes: ((i + 1) * size) / 10, totalBytes: size, percentage: (i + 1) * 10 } }, metadata),
    ),
    newEvent({ type: 'UploadCompleted', data: { attempt: 1, bucket: 'b', objectKey: `videos/${videoId}`, etag: 'e', sizeBytes: size, durationMs: 1000 } }, metadata),
  ];
}

/** Rebuilding `video_info` from the log, against raw batched INSERTs of as many rows into the same table. */
export const replay: Scenario = {
  name: 'replay',
  async run(): Promise<BenchRow[]> {
    const logDb = await createTestDatabase('reelay_bench_log');
    const events = await openEventStore({ EVENT_STORE_URL: logDb.url }, { applicationName: 'bench-replay', maxConnections: 8 });
    try {
      for (let i = 0; i < VIDEOS; i += 8) {
        await Promise.all(
          Array.from({ length: Math.min(8, VIDEOS - i) }, () => {
            const videoId = randomUUID();
            return events.store.appendToStream(videoStreamName(videoId), uploadStream(videoId), { expectedRevision: 'no_stream' });
          }),
        );
      }
      const head = await events.store.headPosition();
      const total = VIDEOS * (PROGRESS_PER_VIDEO + 3);
      const reelay: number[] = [];
      const baseline: number[] = [];
      for (let round = 0; round < ROUNDS; round += 1) {
        const readModel = await createTestDatabase('reelay_bench_rm');
        const knex = createKnex(readModel.url, { max: 4 });
        try {
          await migrateReadModel(knex);
          const started = performance.now();
          const projection = new VideoInfoProjection({ knex, store: events.store, logger: pino({ level: 'silent' }), batchSize: BATCH });
          projection.start();
          while (comparePositions(await loadCheckpoint(knex, VIDEO_INFO_PROJECTION), head) < 0) await new Promise((r) => setTimeout(r, 5));
          reelay.push(total / ((performance.now() - started) / 1000));
          await projection.stop();

          // The same number of rows, written raw into the same table (same indexes), in batches.
          await knex('video_info').delete();
          const rows = Array.from({ length: total }, (_, i) => ({
            video_id: randomUUID(),
            user_id: `user-${i % 1000}`,
            status: 'UPLOADED',
            uploaded_percentage: 100,
            meta_info: JSON.stringify({ title: 't', fileName: 'f.mp4', contentType: 'video/mp4', sizeBytes: 1, sha256: 'a'.repeat(64) }),
            requested_at: new Date(),
            uploaded_at: new Date(),
            failure_reason: null,
            last_revision: 10,
          }));
          const rawStarted = performance.now();
          for (let i = 0; i < rows.length; i += BATCH) await knex('video_info').insert(rows.slice(i, i + BATCH));
          baseline.push(total / ((performance.now() - rawStarted) / 1000));
        } finally {
          await knex.destroy();
          await readModel.drop();
        }
      }
      const r = stats(reelay);
      const b = stats(baseline);
      return [{ scenario: `replay of ${total} events`, metric: 'projector rebuild vs raw batched INSERT', unit: 'events/s', reelay: r, baseline: b, ratio: r.median / b.median, goal: '≥ 0.5×' }];
    } finally {
      await events.close();
      await logDb.drop();
    }
  },
};
