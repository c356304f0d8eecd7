import { describe, it, expect, beforeEach } from '@jest/globals';
import type { VideoStatus } from '../status';
import type { VideoEventType } from '../events/videoEvents';
import { statusAfter } from './statusAfter';
import { evolve, foldVideo, type RecordedVideoEvent } from './state';

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

describe('the status an event leaves', () => {
  const cases: [VideoStatus, VideoEventType, VideoStatus][] = [
    ['FAILED', 'UploadRetryRequested', 'PENDING'],
    ['PENDING', 'UploadStarted', 'LOADING'],
    ['LOADING', 'ProgressReported', 'LOADING'],
    ['LOADING', 'UploadCompleted', 'UPLOADED'],
    ['LOADING', 'UploadFailed', 'FAILED'],
    ['UPLOADED', 'VideoDeleted', 'DELETED'],
    ['UPLOADED', 'MediaProbed', 'UPLOADED'],
    ['FAILED', 'NotificationSent', 'FAILED'],
  ];
  it.each(cases)('leaves a %s video after %s %s', (from, type, to) => {
    expect(statusAfter(type, from)).toBe(to);
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

  it('applies what the log holds without judging it again', () => {
    expect(foldVideo([requested(), completed()])).toMatchObject({ status: 'UPLOADED', uploadedPercentage: 100 });
  });

  it('throws on an event before the stream was opened', () => {
    expect(() => foldVideo([started()])).toThrow(/UploadStarted at revision 0 of an empty stream/);
  });

  it('is undefined for an empty stream', () => {
    expect(foldVideo([])).toBeUndefined();
  });
});
