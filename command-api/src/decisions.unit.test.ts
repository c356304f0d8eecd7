import { describe, it, expect } from '@jest/globals';
import { Conflict, NotFound, type VideoState } from '@reelay/contracts';
import { decideDeletion } from './deleteVideo/decideDeletion';
import { decideRetry } from './retryUpload/decideRetry';

const video = (status: VideoState['status']): VideoState => ({
  videoId: 'v',
  userId: 'alice',
  status,
  metaInfo: { title: 't', fileName: 'f.mp4', contentType: 'video/mp4', sizeBytes: 1, sha256: '0'.repeat(64) },
  stagingRef: 'file:///x',
  media: { probe: 'unknown' },
  requestedAt: '2026-01-01T00:00:00.000Z',
  revision: 0,
  attempt: 0,
  bucket: null,
  objectKey: null,
  uploadedBytes: 0,
  uploadedPercentage: 0,
  uploadedAt: null,
  failure: null,
  notifiedEventIds: [],
});

describe('deleting a video', () => {
  it.each(['PENDING', 'LOADING', 'UPLOADED', 'FAILED'] as const)('records VideoDeleted for a %s video', (status) => {
    expect(decideDeletion(video(status), 'alice', 'v')).toEqual([{ type: 'VideoDeleted', data: { deletedBy: 'alice' } }]);
  });

  it('records nothing for a video already deleted', () => {
    expect(decideDeletion(video('DELETED'), 'alice', 'v')).toEqual([]);
  });

  it('answers NotFound for a missing video and for another user\'s video alike', () => {
    expect(() => decideDeletion(undefined, 'alice', 'v')).toThrow(NotFound);
    expect(() => decideDeletion(video('UPLOADED'), 'bob', 'v')).toThrow(NotFound);
  });
});

describe('retrying an upload', () => {
  it('records UploadRetryRequested for a FAILED video', () => {
    expect(decideRetry(video('FAILED'), 'alice', 'v')).toEqual([{ type: 'UploadRetryRequested', data: { requestedBy: 'alice' } }]);
  });

  it.each(['PENDING', 'LOADING', 'UPLOADED', 'DELETED'] as const)('refuses a %s video with a conflict', (status) => {
    expect(() => decideRetry(video(status), 'alice', 'v')).toThrow(Conflict);
  });

  it('answers NotFound for another user\'s video', () => {
    expect(() => decideRetry(video('FAILED'), 'bob', 'v')).toThrow(NotFound);
  });
});
