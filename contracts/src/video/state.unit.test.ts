import { describe, it, expect, beforeEach } from '@jest/globals';
import type { VideoStatus } from '../status';
import type { VideoEventType } from '../events/videoEvents';
import { nextStatus } from './transitions';
import { InvalidTransition, evolve, foldVideo, type RecordedVideoEvent } from './state';

const META = { title: 'Holiday', fileName: 'holiday.mp4', contentType: 'video/mp4', sizeBytes: 1000, sha256: 'a'.repeat(64) };
const metadata = { correlationId: 'c', causationId: 'c', userId: 'alice' };

let revision = 0;
function recorded(type: VideoEventType, data: unknown): RecordedVideoEvent {
  const r = revision++;
  return {
    id: `00000000-0000-4000-8000-${String(r).padStart(12, '0')}`,
    type,
    schemaVersion: 1,
    streamName: 'video-v',
    revision: r,
    position: { commit: String(r + 1), prepare: String(r + 1) },
    recordedAt: `2026-01-01T00:00:0${r}.000Z`,
    data,
    metadata,
  } as RecordedVideoEvent;
}

const requested = () => recorded('UploadRequested', { videoId: 'v', userId: 'alice', metaInfo: META, stagingRef: 'file:///s/v' });
const started = (attempt = 1) => recorded('UploadStarted', { attempt, bucket: 'b', objectKey: 'videos/v' });
const progress = (uploadedBytes: number, percentage: number) =>
  recorded('ProgressReported', { attempt: 1, uploadedBytes, totalBytes: 1000, percentage });
const completed = () => recorded('UploadCompleted', { attempt: 1, bucket: 'b', objectKey: 'videos/v', etag: 'e', sizeBytes: 1000, durationMs: 5 });
const failed = () => recorded('UploadFailed', { reason: 'no bucket', code: 'STORAGE_BUCKET_MISSING', attempt: 1, retryable: false });

beforeEach(() => {
  revision = 0;
});

describe('the status state machine', () => {
  const allowed: [VideoStatus | undefined, VideoEventType, VideoStatus][] = [
    [undefined, 'UploadRequested', 'PENDING'],
    ['PENDING', 'UploadStarted', 'LOADING'],
    ['LOADING', 'UploadStarted', 'LOADING'],
    ['LOADING', 'ProgressReported', 'LOADING'],
    ['LOADING', 'UploadCompleted', 'UPLOADED'],
    ['LOADING', 'UploadFailed', 'FAILED'],
    ['PENDING', 'UploadFailed', 'FAILED'],
    ['FAILED', 'UploadRetryRequested', 'PENDING'],
    ['UPLOADED', 'VideoDeleted', 'DELETED'],
    ['PENDING', 'VideoDeleted', 'DELETED'],
    ['UPLOADED', 'NotificationSent', 'UPLOADED'],
    ['UPLOADED', 'MediaProbed', 'UPLOADED'],
    ['UPLOADED', 'MediaProbeFailed', 'UPLOADED'],
  ];
  it.each(allowed)('takes %s through %s to %s', (from, type, to) => {
    expect(nextStatus(from, type)).toBe(to);
  });

  const refused: [VideoStatus | undefined, VideoEventType][] = [
    ['PENDING', 'UploadRequested'],
    [undefined, 'UploadStarted'],
    ['PENDING', 'UploadCompleted'],
    ['PENDING', 'ProgressReported'],
    ['UPLOADED', 'UploadStarted'],
    ['UPLOADED', 'UploadFailed'],
    ['UPLOADED', 'UploadRetryRequested'],
    ['DELETED', 'VideoDeleted'],
    ['DELETED', 'UploadStarted'],
    [undefined, 'NotificationSent'],
    ['LOADING', 'MediaProbed'],
    ['DELETED', 'MediaProbed'],
    ['PENDING', 'MediaProbeFailed'],
  ];
  it.each(refused)('refuses %s → %s', (from, type) => {
    expect(nextStatus(from, type)).toBeNull();
  });
});

describe('folding a video stream', () => {
  it('follows a healthy upload to UPLOADED with 100%', () => {
    const state = foldVideo([requested(), started(), progress(400, 40), completed()]);
    expect(state).toMatchObject({ status: 'UPLOADED', uploadedPercentage: 100, uploadedBytes: 1000, attempt: 1, revision: 3, objectKey: 'videos/v' });
    expect(state?.uploadedAt).toBe('2026-01-01T00:00:03.000Z');
    expect(state?.requestedAt).toBe('2026-01-01T00:00:00.000Z');
  });

  it('keeps the failure and clears it on a retry, starting again from 0%', () => {
    const afterFailure = foldVideo([requested(), started(), progress(500, 50), failed()]);
    expect(afterFailure).toMatchObject({ status: 'FAILED', uploadedPercentage: 50, failure: { code: 'STORAGE_BUCKET_MISSING' } });
    const afterRetry = evolve(afterFailure, recorded('UploadRetryRequested', { requestedBy: 'alice' }));
    expect(afterRetry).toMatchObject({ status: 'PENDING', uploadedPercentage: 0, failure: null });
  });

  it('remembers which terminal events a push was recorded for', () => {
    const done = completed();
    const state = foldVideo([requested(), started(), done, recorded('NotificationSent', { provider: 'log', kind: 'UPLOAD_COMPLETED', forEventId: done.id, providerId: null })]);
    expect(state?.notifiedEventIds).toEqual([done.id]);
    expect(state?.status).toBe('UPLOADED');
  });

  it('throws on an event the state machine does not allow', () => {
    expect(() => foldVideo([requested(), completed()])).toThrow(InvalidTransition);
  });

  it('is undefined for an empty stream', () => {
    expect(foldVideo([])).toBeUndefined();
  });
});
