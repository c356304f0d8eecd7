import { describe, it, expect } from '@jest/globals';
import { pushedStatusOf } from './push';
import { keyValueUrlStorage } from './urlStorage';

describe('reading a push payload', () => {
  const data = { videoId: '5b1c2d7e-0000-4000-8000-000000000001', status: 'UPLOADED' };

  it("accepts the push's data itself, or a notification carrying it as data or additionalData", () => {
    expect(pushedStatusOf(data)).toEqual(data);
    expect(pushedStatusOf({ title: 'Your video is ready', data })).toEqual(data);
    expect(pushedStatusOf({ additionalData: data })).toEqual(data);
  });

  it('ignores pushes that are not a terminal status of a video', () => {
    expect(pushedStatusOf({ videoId: data.videoId, status: 'LOADING' })).toBeUndefined();
    expect(pushedStatusOf({ status: 'UPLOADED' })).toBeUndefined();
    expect(pushedStatusOf('UPLOADED')).toBeUndefined();
    expect(pushedStatusOf(null)).toBeUndefined();
  });
});

describe('the key-value URL storage of unfinished uploads', () => {
  function fakeAsyncStorage() {
    const values = new Map<string, string>();
    return {
      values,
      getItem: async (k: string) => values.get(k) ?? null,
      setItem: async (k: string, v: string) => void values.set(k, v),
      removeItem: async (k: string) => void values.delete(k),
    };
  }
  const upload = (url: string) => ({ size: 10, metadata: {}, creationTime: new Date().toISOString(), urlStorageKey: '', uploadUrl: url, parallelUploadUrls: null });

  it('finds uploads by fingerprint through a new storage object over the same store, as after an app restart', async () => {
    const store = fakeAsyncStorage();
    const before = keyValueUrlStorage(store);
    await Promise.all([before.addUpload('file-a', upload('/v1/uploads/a')), before.addUpload('file-b', upload('/v1/uploads/b'))]);

    const after = keyValueUrlStorage(store);
    expect((await after.findUploadsByFingerprint('file-a')).map((u) => u.uploadUrl)).toEqual(['/v1/uploads/a']);
    expect(await after.findAllUploads()).toHaveLength(2);
  });

  it('forgets an upload by the key it was stored under', async () => {
    const storage = keyValueUrlStorage(fakeAsyncStorage());
    const key = await storage.addUpload('file-a', upload('/v1/uploads/a'));
    await storage.removeUpload(key);
    expect(await storage.findUploadsByFingerprint('file-a')).toEqual([]);
  });
});
