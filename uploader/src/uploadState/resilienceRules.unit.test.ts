import { describe, it, expect } from '@jest/globals';
import { isStalled } from '../uploadVideo/attemptWatch';
import { classifyFailure } from '../uploadVideo/classifyFailure';

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
