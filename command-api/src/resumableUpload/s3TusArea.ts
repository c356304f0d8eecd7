import { DeleteObjectsCommand, GetObjectCommand, S3, type S3Client } from '@aws-sdk/client-s3';
import { S3Store, type Options as S3StoreOptions } from '@tus/s3-store';
import type { KvStore, Upload } from '@tus/utils';
import type { S3StagingStore } from '@reelay/platform/s3';
import { removeChunksOpenedAfterFailure } from './chunkFileCleanup';
import { isComplete } from './stagingTusStore';
import type { TusArea } from './tusArea';

const INFO_SUFFIX = '.info';

/**
 * @tus/s3-store builds its own client from settings; this one sends through the staging store's
 * client instead (same endpoint, credentials and checksum settings, one connection pool).
 */
class SharedClientS3Store extends S3Store {
  constructor(client: S3Client, options: S3StoreOptions) {
    super(options);
    const shared = new S3({ region: 'us-east-1' });
    shared.send = client.send.bind(client) as S3['send'];
    this.client = shared;
  }

  /** The bytes of an upload not yet in a part of its own (fewer than a part), if any. */
  async readIncompletePart(id: string): Promise<Buffer> {
    const part = await this.getIncompletePart(id);
    if (!part) return Buffer.alloc(0);
    const chunks: Buffer[] = [];
    for await (const chunk of part) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
}

/**
 * @tus/s3-store keeps each upload's record (`.info`) in a per-process cache by default, which
 * another command API process can make wrong (it declares a deferred length, it removes the
 * upload: then this one reports it complete). Any process may serve any request of an upload (the
 * locks are in Postgres), so the record is read from S3 every time, under the upload's lock.
 */
const NO_CACHE: KvStore<never> = {
  get: async () => undefined,
  set: async () => undefined,
  delete: async () => undefined,
};

/**
 * tus uploads of an S3 staging store, through `@tus/s3-store` on the same bucket and prefix:
 * an upload is a multipart upload to `<prefix>/<name>` with its record in `<name>.info` (and an
 * unfinished last part in `<name>.part`). S3 shows `<prefix>/<name>` only when the last part
 * completes it, which is exactly a staged file: nothing moves at the end. The record stays until
 * the upload expires so that a client asking after the end still hears "complete".
 */
export function s3TusArea(staging: S3StagingStore, expirationMs: number, partSizeBytes = 8 * 1024 * 1024): TusArea {
  const { client, bucket } = staging;
  removeChunksOpenedAfterFailure();
  const dataStore = new SharedClientS3Store(client, {
    partSize: partSizeBytes,
    // s3rver and some S3-compatible stores ignore object tags; expiry is ours (see StagingTusStore).
    useTags: false,
    cache: NO_CACHE,
    expirationPeriodInMilliseconds: expirationMs,
    s3ClientConfig: { bucket, region: 'us-east-1' },
  });
  const prefixKey = staging.keyFor('');
  const nameOf = (id: string) => id.slice(prefixKey.length);
  return {
    dataStore,
    idFor: (name) => staging.keyFor(name),
    nameOf,
    async readStart(id, bytes) {
      // Below the first part's size every stored byte is in the incomplete part (`<name>.part`).
      return (await dataStore.readIncompletePart(id)).subarray(0, bytes);
    },
    async handOver(upload: Upload) {
      return staging.refFor(nameOf(upload.id));
    },
    async handedOver() {
      // @tus/s3-store reports a completed upload itself (its multipart upload is gone, its record is not).
      return undefined;
    },
    async records() {
      const found = [];
      for (const object of await staging.listObjects()) {
        if (!object.key.endsWith(INFO_SUFFIX)) continue;
        const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: object.key })).catch(() => undefined);
        const info = response?.Body ? (JSON.parse(await response.Body.transformToString()) as { creation_date?: string; metadata?: Upload['metadata'] }) : undefined;
        if (info?.creation_date) found.push({ id: object.key.slice(0, -INFO_SUFFIX.length), createdAt: new Date(info.creation_date), metadata: info.metadata });
      }
      return found;
    },
    async removeRecord(id) {
      const upload = await dataStore.getUpload(id).catch((error: { status_code?: number }) => (error.status_code === 404 ? undefined : Promise.reject(error)));
      // A finished upload's object is a staged file (the video's) or already stored and removed:
      // only the record goes. An unfinished one's multipart upload is aborted with it.
      if (upload && !isComplete(upload)) {
        await dataStore.remove(id).catch((error: { status_code?: number }) => (error.status_code === 404 ? undefined : Promise.reject(error)));
      }
      await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: `${id}${INFO_SUFFIX}` }, { Key: `${id}.part` }], Quiet: true } }));
    },
  };
}
