import { describe, it, expect } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { CURRENT_SCHEMA_VERSION, UNRECORDED_ETAG, UPCASTERS, UnknownSchemaVersion, schemaVersionToWrite, upcast } from './upcasting';
import { VIDEO_EVENT_TYPES, VideoEvent } from './videoEvents';

const v1NotificationFailed = () => ({ provider: 'onesignal', kind: 'UPLOAD_FAILED', forEventId: randomUUID(), error: 'OneSignal rejected the push (400): invalid app' });

describe('upcasting', () => {
  it('reads a v1 NotificationFailed as a valid v2 one, its unknown provider status null', () => {
    const stored = v1NotificationFailed();
    const current = upcast('NotificationFailed', 1, stored);
    expect(current).toEqual({ ...stored, providerStatus: null });
    expect(VideoEvent.parse({ type: 'NotificationFailed', data: current }).data).toEqual(current);
  });

  it('never changes the stored data it lifts', () => {
    const stored = Object.freeze(v1NotificationFailed());
    upcast('NotificationFailed', 1, stored);
    expect(stored).not.toHaveProperty('providerStatus');
  });

  it('passes data already at the current version through untouched', () => {
    const data = { ...v1NotificationFailed(), providerStatus: 404 };
    expect(upcast('NotificationFailed', 2, data)).toBe(data);
    expect(upcast('VideoDeleted', 1, { deletedBy: 'u' })).toEqual({ deletedBy: 'u' });
  });

  it('passes event types the contracts do not know through untouched', () => {
    const data = { anything: true };
    expect(upcast('SomethingElse', 7, data)).toBe(data);
  });

  it('refuses an UploadCompleted with an empty ETag, and reads a v1 one that recorded none as unrecorded', () => {
    const completed = { attempt: 1, bucket: 'videos', objectKey: 'videos/v.mp4', etag: '', sizeBytes: 10, durationMs: 5 };
    expect(VideoEvent.safeParse({ type: 'UploadCompleted', data: completed }).success).toBe(false);
    const lifted = upcast('UploadCompleted', 1, completed);
    expect(VideoEvent.parse({ type: 'UploadCompleted', data: lifted }).data).toEqual({ ...completed, etag: UNRECORDED_ETAG });
    expect(upcast('UploadCompleted', 1, { ...completed, etag: '"abc-2"' })).toEqual({ ...completed, etag: '"abc-2"' });
  });

  it('refuses a version newer than this code knows, or one no chain starts from', () => {
    expect(() => upcast('NotificationFailed', 3, {})).toThrow(UnknownSchemaVersion);
    expect(() => upcast('NotificationFailed', 0, {})).toThrow(UnknownSchemaVersion);
  });

  it('has a step from every older version to the next for every event type', () => {
    for (const type of VIDEO_EVENT_TYPES) {
      for (let version = 1; version < CURRENT_SCHEMA_VERSION[type]; version += 1) {
        expect([type, version, typeof UPCASTERS[type]?.[version]]).toEqual([type, version, 'function']);
      }
    }
  });

  it('writes new events at their type’s current version unless the writer names an older one', () => {
    expect(schemaVersionToWrite({ type: 'NotificationFailed' })).toBe(2);
    expect(schemaVersionToWrite({ type: 'NotificationFailed', schemaVersion: 1 })).toBe(1);
    expect(schemaVersionToWrite({ type: 'NotTheContracts' })).toBe(1);
  });
});
