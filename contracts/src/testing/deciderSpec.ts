import { expect } from '@jest/globals';
import type { VideoEvent, VideoEventOf } from '../events/videoEvents';
import { UserId, VideoId } from '../ids';
import { foldVideo, type RecordedVideoEvent, type VideoState } from '../video/state';

/**
 * Test machinery: given/when/then for a decider, as emmett's DeciderSpecification. `given` folds
 * the events the stream already holds into the state, `when` runs the decider once on it, and
 * `thenEvents` compares the events it made, `thenNothing` says it made none (nothing to do), and
 * `thenThrows` names the error it refused the command with.
 */
export function deciderSpec<C, E extends VideoEvent>(decide: (command: C, state: VideoState | undefined) => readonly E[]) {
  return {
    given: (...history: readonly VideoEvent[]) => ({
      when: (command: C) => {
        const run = () => decide(command, foldVideo(recordedStream(history)));
        return {
          thenEvents: (expected: readonly E[]) => expect(run()).toEqual(expected),
          thenNothing: () => expect(run()).toEqual([]),
          thenThrows: (error: new (...args: never[]) => Error) => expect(run).toThrow(error),
        };
      },
    }),
  };
}

/** The events at revisions 0, 1, 2, … of one stream, as the log would hand them over. */
function recordedStream(events: readonly VideoEvent[]): RecordedVideoEvent[] {
  return events.map(
    (event, revision) =>
      ({
        ...event,
        id: `00000000-0000-4000-8000-${String(revision).padStart(12, '0')}`,
        schemaVersion: 1,
        streamName: `video-${VIDEO_ID}`,
        revision,
        position: { commit: String(revision + 1), prepare: String(revision + 1) },
        recordedAt: `2026-01-01T00:00:${String(revision).padStart(2, '0')}.000Z`,
        metadata: { correlationId: 'c', causationId: 'c', userId: OWNER },
      }) as RecordedVideoEvent,
  );
}

export const VIDEO_ID = VideoId.parse('00000000-0000-4000-8000-00000000000a');
export const OWNER = UserId.parse('alice');
export const META = { title: 'Holiday', fileName: 'holiday.mp4', contentType: 'video/mp4', sizeBytes: 1000, sha256: 'a'.repeat(64) };
export const BUCKET = 'videos';
export const OBJECT_KEY = `videos/${VIDEO_ID}`;

/** A video's events as its writers make them, for the `given` of a spec. */
export const events = {
  requested: (): VideoEventOf<'UploadRequested'> => ({
    type: 'UploadRequested',
    data: { videoId: VIDEO_ID, userId: OWNER, metaInfo: META, stagingRef: `file:///staging/${VIDEO_ID}` },
  }),
  started: (attempt = 1): VideoEventOf<'UploadStarted'> => ({ type: 'UploadStarted', data: { attempt, bucket: BUCKET, objectKey: OBJECT_KEY } }),
  progress: (attempt = 1, percentage = 40): VideoEventOf<'ProgressReported'> => ({
    type: 'ProgressReported',
    data: { attempt, uploadedBytes: percentage * 10, totalBytes: 1000, percentage },
  }),
  completed: (attempt = 1): VideoEventOf<'UploadCompleted'> => ({
    type: 'UploadCompleted',
    data: { attempt, bucket: BUCKET, objectKey: OBJECT_KEY, etag: 'etag-1', sizeBytes: 1000, durationMs: 5 },
  }),
  failed: (attempt = 1, retryable = true): VideoEventOf<'UploadFailed'> => ({
    type: 'UploadFailed',
    data: { attempt, code: 'STORAGE_HTTP_503', reason: 'object storage answered 503', retryable },
  }),
  retryRequested: (): VideoEventOf<'UploadRetryRequested'> => ({ type: 'UploadRetryRequested', data: { requestedBy: OWNER } }),
  deleted: (): VideoEventOf<'VideoDeleted'> => ({ type: 'VideoDeleted', data: { deletedBy: OWNER } }),
  probed: (): VideoEventOf<'MediaProbed'> => ({
    type: 'MediaProbed',
    data: { facts: { container: 'mp4', durationMs: 1000, width: 640, height: 360, rotation: 0, frameRate: 25, videoCodec: 'h264', audioCodec: 'aac' } },
  }),
};
