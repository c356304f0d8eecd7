import { describe, it, expect } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { UserId, type VideoEvent } from '@reelay/contracts';
import { happyPath, recorded, recordedStream, sampleMetaInfo } from '../testing/videoEventFixtures';
import { applyToVideoInfo } from './applyToVideoInfo';
import { foldInOrder } from './foldBatch';
import type { VideoInfo } from './videoInfo';

const videoId = randomUUID();
const userId = 'user-1';

function fold(events: readonly VideoEvent[]): VideoInfo | undefined {
  return recordedStream(videoId, events).reduce(applyToVideoInfo, undefined);
}

const [requested, started, progress, completed] = happyPath(videoId, userId) as [VideoEvent, VideoEvent, VideoEvent, VideoEvent];
const failed: VideoEvent = { type: 'UploadFailed', data: { reason: 'bucket unreachable', code: 'S3_DOWN', attempt: 5, retryable: false } };

describe('applyToVideoInfo', () => {
  it('creates a PENDING row with the meta info and request time from UploadRequested', () => {
    const row = applyToVideoInfo(undefined, recorded(videoId, 0, requested, '2024-05-01T10:00:00.000Z'));
    expect(row).toEqual({
      videoId,
      userId,
      status: 'PENDING',
      uploadedPercentage: 0,
      metaInfo: { ...sampleMetaInfo, media: null, mediaProbe: 'pending' },
      requestedAt: '2024-05-01T10:00:00.000Z',
      uploadedAt: null,
      failureReason: null,
      lastRevision: 0,
    } satisfies VideoInfo);
  });

  it('moves to LOADING at 0% when the upload starts', () => {
    expect(fold([requested, started])).toMatchObject({ status: 'LOADING', uploadedPercentage: 0, lastRevision: 1 });
  });

  it('takes the percentage of each progress report', () => {
    expect(fold([requested, started, progress])).toMatchObject({ status: 'LOADING', uploadedPercentage: 50, lastRevision: 2 });
  });

  it('is UPLOADED at 100% with the completion time when the upload completes', () => {
    const events = recordedStream(videoId, [requested, started, progress]);
    events.push(recorded(videoId, 3, completed, '2024-05-01T10:05:00.000Z'));
    expect(events.reduce(applyToVideoInfo, undefined)).toMatchObject({
      status: 'UPLOADED',
      uploadedPercentage: 100,
      uploadedAt: '2024-05-01T10:05:00.000Z',
      requestedAt: '2024-05-01T10:00:00.000Z',
    });
  });

  it('puts the media facts in meta_info once probed, and marks a failed probe without touching the status', () => {
    const facts = { container: 'mp4', durationMs: 42_000, width: 1920, height: 1080, rotation: 90 as const, frameRate: 30, videoCodec: 'h264', audioCodec: 'aac' };
    const stored = recordedStream(videoId, happyPath(videoId, userId));
    const probed = [...stored, recorded(videoId, 4, { type: 'MediaProbed', data: { facts } })].reduce(applyToVideoInfo, undefined);
    expect(probed).toMatchObject({ status: 'UPLOADED', metaInfo: { ...sampleMetaInfo, media: facts, mediaProbe: 'probed' } });
    const failed = [...stored, recorded(videoId, 4, { type: 'MediaProbeFailed', data: { reason: 'not a container' } })].reduce(applyToVideoInfo, undefined);
    expect(failed).toMatchObject({ status: 'UPLOADED', metaInfo: { media: null, mediaProbe: 'failed' } });
  });

  it('is FAILED with the reason when the upload fails, keeping the percentage reached', () => {
    expect(fold([requested, started, progress, failed])).toMatchObject({ status: 'FAILED', failureReason: 'bucket unreachable', uploadedPercentage: 50 });
  });

  it('is PENDING at 0% again, without the old failure, when a retry is requested', () => {
    const retry: VideoEvent = { type: 'UploadRetryRequested', data: { requestedBy: UserId.parse(userId) } };
    expect(fold([requested, started, progress, failed, retry])).toMatchObject({ status: 'PENDING', uploadedPercentage: 0, failureReason: null });
  });

  it('is DELETED after VideoDeleted', () => {
    const deleted: VideoEvent = { type: 'VideoDeleted', data: { deletedBy: UserId.parse(userId) } };
    expect(fold([requested, started, progress, completed, deleted])).toMatchObject({ status: 'DELETED', uploadedPercentage: 100 });
  });

  it('only advances the revision on notification events', () => {
    const before = fold([requested, started, progress, completed]) as VideoInfo;
    const sent: VideoEvent = {
      type: 'NotificationSent',
      data: { provider: 'log', kind: 'UPLOAD_COMPLETED', forEventId: randomUUID(), providerId: null },
    };
    const failedPush: VideoEvent = {
      type: 'NotificationFailed',
      data: { provider: 'log', kind: 'UPLOAD_COMPLETED', forEventId: randomUUID(), error: 'boom', providerStatus: null },
    };
    const afterSent = applyToVideoInfo(before, recorded(videoId, 4, sent));
    const afterFailed = applyToVideoInfo(afterSent, recorded(videoId, 5, failedPush));
    expect(afterFailed).toEqual({ ...before, lastRevision: 5 });
  });

  it('ignores an event that is not the next revision, returning the very same row', () => {
    const row = fold([requested, started]) as VideoInfo;
    expect(applyToVideoInfo(row, recorded(videoId, 1, started))).toBe(row);
    expect(applyToVideoInfo(row, recorded(videoId, 3, progress))).toBe(row);
  });

  it('ignores anything but UploadRequested on an empty row', () => {
    expect(applyToVideoInfo(undefined, recorded(videoId, 0, started))).toBeUndefined();
    expect(applyToVideoInfo(undefined, recorded(videoId, 1, started))).toBeUndefined();
  });

  it('is idempotent when delivered twice', () => {
    const stream = recordedStream(videoId, [requested, started, progress, completed]);
    const once = stream.reduce(applyToVideoInfo, undefined);
    const twice = stream.reduce(applyToVideoInfo, once);
    expect(twice).toBe(once);
  });

  it('folds a stream delivered out of order to the same row when the events are sorted', () => {
    const stream = recordedStream(videoId, [requested, started, progress, completed]);
    const shuffled = [stream[2], stream[0], stream[3], stream[1]] as typeof stream;
    expect(foldInOrder(undefined, shuffled)).toEqual(stream.reduce(applyToVideoInfo, undefined));
  });
});
