import { UserId, VideoId, type VideoEvent } from '@reelay/contracts';

/** Test data only: the events a real upload records, in the shapes of the contracts. */
export const videoEvents = {
  requested: (videoId: string, userId: string, title = 'Holiday'): VideoEvent => ({
    type: 'UploadRequested',
    data: {
      videoId: VideoId.parse(videoId),
      userId: UserId.parse(userId),
      metaInfo: { title, fileName: `${title.toLowerCase()}.mp4`, contentType: 'video/mp4', sizeBytes: 2048, sha256: 'b'.repeat(64) },
      stagingRef: `file:///tmp/${videoId}`,
    },
  }),
  started: (): VideoEvent => ({ type: 'UploadStarted', data: { attempt: 1, bucket: 'videos', objectKey: 'key' } }),
  progress: (percentage: number): VideoEvent => ({
    type: 'ProgressReported',
    data: { attempt: 1, uploadedBytes: Math.round((2048 * percentage) / 100), totalBytes: 2048, percentage },
  }),
  completed: (): VideoEvent => ({
    type: 'UploadCompleted',
    data: { attempt: 1, bucket: 'videos', objectKey: 'key', etag: 'e', sizeBytes: 2048, durationMs: 10 },
  }),
  failed: (reason: string): VideoEvent => ({ type: 'UploadFailed', data: { reason, code: 'TEST', attempt: 1, retryable: false } }),
};
