import { describe, it, expect } from '@jest/globals';
import { loadConfig } from './config';
import { configRefusal as refusal } from '@reelay/testing';

describe('the resilience configuration', () => {
  it('has documented defaults', () => {
    expect(loadConfig({})).toMatchObject({
      JOBS_ACK_WAIT_MS: 30_000,
      UPLOAD_STALL_TIMEOUT_MS: 120_000,
      UPLOAD_ABANDONED_AFTER_MS: 600_000,
      UPLOAD_SWEEP_INTERVAL_MS: 60_000,
      UPLOADER_SHUTDOWN_GRACE_MS: 10_000,
      SHUTDOWN_DEADLINE_MS: 25_000,
      UPLOAD_WHOLE_COPY_MAX_BYTES: 5 * 1024 ** 3,
    });
  });

  it.each([
    ['JOBS_ACK_WAIT_MS', '0'],
    ['UPLOAD_STALL_TIMEOUT_MS', 'soon'],
    ['UPLOAD_SWEEP_INTERVAL_MS', '-1'],
    ['SHUTDOWN_DEADLINE_MS', '0'],
    // Over S3's CopyObject limit (5 GiB): every such copy would fail.
    ['UPLOAD_WHOLE_COPY_MAX_BYTES', String(5 * 1024 ** 3 + 1)],
    ['UPLOAD_WHOLE_COPY_MAX_BYTES', '-1'],
  ])('refuses %s=%s with a line naming it', (name, value) => {
    expect(refusal({ [name]: value })).toMatch(new RegExp(`^invalid configuration: ${name} `));
  });

  it('refuses an abandoned-upload limit a job waiting for its redelivery could reach', () => {
    expect(refusal({ JOBS_ACK_WAIT_MS: '60000', UPLOAD_ABANDONED_AFTER_MS: '80000' })).toMatch(/UPLOAD_ABANDONED_AFTER_MS must be longer than JOBS_ACK_WAIT_MS/);
  });

  it('refuses a shutdown grace the shutdown deadline would cut short', () => {
    expect(refusal({ UPLOADER_SHUTDOWN_GRACE_MS: '30000' })).toMatch(/UPLOADER_SHUTDOWN_GRACE_MS must be shorter than SHUTDOWN_DEADLINE_MS/);
  });
});
