import { describe, it, expect } from '@jest/globals';
import type { VideoState } from '@reelay/contracts';
import { isStalled } from '../uploadVideo/attemptWatch';
import { classifyFailure } from '../uploadVideo/classifyFailure';
import { judgeIdleUpload } from './sweepAbandonedUploads';

const state = (status: VideoState['status'], attempt = 1) => ({ status, attempt }) as VideoState;
const idle = { videoId: 'v', attempt: 1, idleMs: 900_000 };

describe('judging an upload nobody touched', () => {
  it('fails a LOADING video at its live attempt, retryably', () => {
    expect(judgeIdleUpload(state('LOADING', 2), idle)).toMatchObject({ action: 'fail', attempt: 2, reason: expect.stringMatching(/900 s/) });
  });

  it.each(['PENDING', 'UPLOADED', 'FAILED', 'DELETED'] as const)('only forgets the journal of a %s video', (status) => {
    expect(judgeIdleUpload(state(status), idle)).toEqual({ action: 'forget' });
  });

  it('forgets the journal of a video that does not exist', () => {
    expect(judgeIdleUpload(undefined, idle)).toEqual({ action: 'forget' });
  });
});

describe('the stall watchdog', () => {
  it('fires once nothing was stored for the stall timeout, not before', () => {
    expect(isStalled(1_000, 1_999, 1_000)).toBe(false);
    expect(isStalled(1_000, 2_000, 1_000)).toBe(true);
  });
});

describe('classifying resilience failures', () => {
  it('retries a stalled attempt and a lost multipart upload, wrapped or not', () => {
    expect(classifyFailure(Object.assign(new Error('no part'), { name: 'UploadStalled' }))).toMatchObject({ retryable: true, code: 'UPLOAD_STALLED' });
    const lost = Object.assign(new Error('gone'), { name: 'MultipartUploadLost' });
    expect(classifyFailure(new Error('wrapper', { cause: lost }))).toMatchObject({ retryable: true, code: 'MULTIPART_UPLOAD_LOST' });
  });

  it('gives up at once on a staged copy of the wrong size', () => {
    expect(classifyFailure(Object.assign(new Error('short'), { name: 'SourceSizeMismatch' }))).toMatchObject({ retryable: false, code: 'STAGED_COPY_SIZE_MISMATCH' });
  });
});
