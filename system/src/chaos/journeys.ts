import { newEvent } from '@reelay/contracts';
import type { EventStore } from '@reelay/event-store';

/** One video's whole journey, appended as one write: requested, started, three progress reports, completed. */
export async function appendJourney(store: EventStore, videoId: string): Promise<void> {
  const userId = `user-${videoId.slice(0, 2)}`;
  const meta = { correlationId: videoId, causationId: videoId, userId };
  const objectKey = `videos/${videoId}`;
  const size = 1000;
  await store.appendToStream(
    `video-${videoId}`,
    [
      newEvent(
        {
          type: 'UploadRequested',
          data: {
            videoId: videoId as never,
            userId: userId as never,
            metaInfo: { title: 't', fileName: 't.mp4', contentType: 'video/mp4', sizeBytes: size, sha256: '0'.repeat(64) },
            stagingRef: `file:///nowhere/${videoId}`,
          },
        },
        meta,
      ),
      newEvent({ type: 'UploadStarted', data: { attempt: 1, bucket: 'b', objectKey } }, meta),
      ...[25, 50, 75].map((percentage) =>
        newEvent({ type: 'ProgressReported', data: { attempt: 1, uploadedBytes: percentage * 10, totalBytes: size, percentage } }, meta),
      ),
      newEvent({ type: 'UploadCompleted', data: { attempt: 1, bucket: 'b', objectKey, etag: '"e"', sizeBytes: size, durationMs: 5 } }, meta),
    ],
    { expectedRevision: 'no_stream' },
  );
}
