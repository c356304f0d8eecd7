import { randomUUID } from 'node:crypto';
import { UserId, VideoId, videoStreamName, type MetaInfo, type RecordedVideoEvent, type VideoEvent } from '@reelay/contracts';

/** Test data only: events of one video as the uploader and the command API would write them. */

export const sampleMetaInfo: MetaInfo = {
  title: 'Holiday',
  fileName: 'holiday.mp4',
  contentType: 'video/mp4',
  sizeBytes: 1_000_000,
  sha256: 'a'.repeat(64),
};

/** The events of a healthy upload, in stream order. */
export function happyPath(videoId: string, userId: string): VideoEvent[] {
  return [
    {
      type: 'UploadRequested',
      data: { videoId: VideoId.parse(videoId), userId: UserId.parse(userId), metaInfo: sampleMetaInfo, stagingRef: `file:///tmp/${videoId}` },
    },
    { type: 'UploadStarted', data: { attempt: 1, bucket: 'videos', objectKey: `${videoId}.mp4` } },
    { type: 'ProgressReported', data: { attempt: 1, uploadedBytes: 500_000, totalBytes: 1_000_000, percentage: 50 } },
    {
      type: 'UploadCompleted',
      data: { attempt: 1, bucket: 'videos', objectKey: `${videoId}.mp4`, etag: 'etag', sizeBytes: 1_000_000, durationMs: 1200 },
    },
  ];
}

/** `event` as the log would hand it over at `revision`; the position is made up but ordered. */
export function recorded(videoId: string, revision: number, event: VideoEvent, recordedAt = '2024-05-01T10:00:00.000Z'): RecordedVideoEvent {
  return {
    ...event,
    id: randomUUID(),
    schemaVersion: 1,
    streamName: videoStreamName(videoId),
    revision,
    position: { commit: '1', prepare: String(revision + 1) },
    recordedAt,
    metadata: { correlationId: 'test', causationId: 'test', userId: 'user-1' },
  } as RecordedVideoEvent;
}

/** Records a list of events of one stream at revisions 0, 1, 2, … */
export function recordedStream(videoId: string, events: readonly VideoEvent[]): RecordedVideoEvent[] {
  return events.map((event, revision) => recorded(videoId, revision, event));
}
