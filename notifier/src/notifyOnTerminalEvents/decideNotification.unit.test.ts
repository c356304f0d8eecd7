import { describe, it, expect } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { VideoState } from '@reelay/contracts';
import {
  displayTitle,
  notificationMetadata,
  decidePush,
  decidePushOutcome,
  type TerminalEvent,
} from './decideNotification';

const videoId = randomUUID();
const metadata = { correlationId: 'request-1', causationId: 'job-1', userId: 'alice' };

function state(overrides: Partial<VideoState> = {}): VideoState {
  return {
    videoId,
    userId: 'alice',
    status: 'UPLOADED',
    metaInfo: { title: 'Holiday', fileName: 'holiday.mp4', contentType: 'video/mp4', sizeBytes: 10, sha256: 'a'.repeat(64) },
    stagingRef: 'file:///tmp/x',
    media: { probe: 'unknown' },
    requestedAt: '2025-01-01T00:00:00.000Z',
    revision: 3,
    attempt: 1,
    bucket: 'b',
    objectKey: 'k',
    uploadedBytes: 10,
    uploadedPercentage: 100,
    uploadedAt: '2025-01-01T00:01:00.000Z',
    failure: null,
    notifiedEventIds: [],
    ...overrides,
  };
}

function terminal(type: 'UploadCompleted' | 'UploadFailed'): TerminalEvent {
  const common = {
    id: randomUUID(),
    schemaVersion: 1,
    streamName: `video-${videoId}`,
    revision: 3,
    position: { commit: '10', prepare: '4' },
    recordedAt: '2025-01-01T00:01:00.000Z',
    metadata,
  };
  return type === 'UploadCompleted'
    ? { ...common, type, data: { attempt: 1, bucket: 'b', objectKey: 'k', etag: 'e', sizeBytes: 10, durationMs: 5 } }
    : { ...common, type, data: { reason: 'S3 refused', code: 'S3_ERROR', attempt: 5, retryable: false } };
}

describe('decidePush', () => {
  it('pushes a completed upload to its owner with the title and the event id as idempotency key', () => {
    const event = terminal('UploadCompleted');
    expect(decidePush(event, state())).toEqual({
      action: 'push',
      push: { userId: 'alice', videoId, kind: 'UPLOAD_COMPLETED', title: 'Holiday', idempotencyKey: event.id },
    });
  });

  it('pushes a failed upload as UPLOAD_FAILED', () => {
    const plan = decidePush(terminal('UploadFailed'), state({ status: 'FAILED' }));
    expect(plan.action === 'push' && plan.push.kind).toBe('UPLOAD_FAILED');
  });

  it('still pushes an earlier failure after a retry has begun', () => {
    expect(decidePush(terminal('UploadFailed'), state({ status: 'LOADING' })).action).toBe('push');
  });

  it('skips an event that already has a recorded notification', () => {
    const event = terminal('UploadCompleted');
    expect(decidePush(event, state({ notifiedEventIds: [randomUUID(), event.id] }))).toEqual({ action: 'skip', reason: 'already-notified' });
  });

  it('skips a deleted video', () => {
    expect(decidePush(terminal('UploadCompleted'), state({ status: 'DELETED' }))).toEqual({ action: 'skip', reason: 'video-deleted' });
  });

  it('skips a stream without a video', () => {
    expect(decidePush(terminal('UploadCompleted'), undefined)).toEqual({ action: 'skip', reason: 'unknown-video' });
  });
});

describe('displayTitle', () => {
  it('uses the title, or the file name when the title is blank', () => {
    expect(displayTitle({ title: 'Holiday', fileName: 'h.mp4' })).toBe('Holiday');
    expect(displayTitle({ title: '  ', fileName: 'h.mp4' })).toBe('h.mp4');
  });
});

describe('decidePushOutcome', () => {
  const forEventId = randomUUID();

  it('records a sent push with the provider and its id', () => {
    expect(decidePushOutcome({ forEventId, kind: 'UPLOAD_COMPLETED', outcome: { status: 'sent', provider: 'onesignal', providerId: 'n-1' } }, state())).toEqual([
      { type: 'NotificationSent', data: { provider: 'onesignal', kind: 'UPLOAD_COMPLETED', forEventId, providerId: 'n-1' } },
    ]);
  });

  it('records a rejected push as NotificationFailed with the reason', () => {
    const outcome = { status: 'rejected', provider: 'onesignal', error: 'invalid app', providerStatus: 400 } as const;
    expect(decidePushOutcome({ forEventId, kind: 'UPLOAD_FAILED', outcome }, state())).toEqual([
      { type: 'NotificationFailed', data: { provider: 'onesignal', kind: 'UPLOAD_FAILED', forEventId, error: 'invalid app', providerStatus: 400 } },
    ]);
  });

  it('records nothing when another copy recorded the event first', () => {
    const outcome = { status: 'sent', provider: 'onesignal', providerId: 'n-1' } as const;
    expect(decidePushOutcome({ forEventId, kind: 'UPLOAD_COMPLETED', outcome }, state({ notifiedEventIds: [forEventId] }))).toEqual([]);
    expect(decidePushOutcome({ forEventId, kind: 'UPLOAD_COMPLETED', outcome }, undefined)).toEqual([]);
  });
});

describe('notificationMetadata', () => {
  it('keeps the correlation, names the terminal event as cause and the owner as user', () => {
    const event = terminal('UploadCompleted');
    expect(notificationMetadata(event, { userId: 'alice' })).toEqual({ correlationId: 'request-1', causationId: event.id, userId: 'alice' });
  });
});
