import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  type ListMultipartUploadsCommandOutput,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { S3ObjectRef } from '../objectStorage/objectStorage';
import { S3ObjectStorage } from '../objectStorage/s3ObjectStorage';
import { streamedUpload } from '../objectStorage/streamedUpload';
import { BodyMeter, classifyWriteFailure, forwardBodyFailures } from './bodyMeter';
import {
  InvalidStagingRef,
  SAFE_NAME,
  StagedFileNotFound,
  StagingBodyCutOff,
  type StagedEntry,
  type StagedFile,
  type StagingReadOptions,
  type StagingStore,
  type StagingWriteOptions,
} from './stagingStore';

export interface S3StagingStoreOptions {
  readonly bucket: string;
  /** Key prefix without leading or trailing `/`; '' for the bucket's root. */
  readonly prefix: string;
  /** Bytes per multipart part of a write (S3's minimum: 5 MiB); a write holds one part in memory. */
  readonly partSizeBytes?: number;
}

/** Suffixes of the objects @tus/s3-store keeps beside an upload: its record and an unfinished last part. */
export const TUS_SIDE_SUFFIXES = ['.info', '.part'] as const;
const TUS_PART_SUFFIX = TUS_SIDE_SUFFIXES[1];

/**
 * Staging in an S3 bucket under a prefix (`STAGING=s3://bucket/prefix`), shared by every
 * command API and uploader whatever machine they run on.
 *
 * A write is one multipart upload (`streamedUpload`: one part buffer, reused) straight to
 * `<prefix>/<name>`, through the same BodyMeter as the file store (size limit, head check, idle
 * timeout, SHA-256). S3 shows an object only once its upload completes, so a staged name always
 * holds a complete video and `list()` never sees half of one; a failed write aborts its upload.
 * The tus intake (`@tus/s3-store`) keeps its uploads under the same prefix, with `<name>.info`
 * and `<name>.part` beside them; those are never listed; `remove` takes an unfinished part along
 * and leaves the record for the tus expiry to remove.
 *
 * Refs are `s3://<bucket>/<prefix>/<name>`; a ref of another bucket or prefix is refused.
 */
export class S3StagingStore implements StagingStore {
  readonly bucket: string;
  readonly prefix: string;
  private readonly partSizeBytes: number;

  constructor(
    readonly client: S3Client,
    options: S3StagingStoreOptions,
  ) {
    this.bucket = options.bucket;
    this.prefix = options.prefix.replace(/^\/+|\/+$/g, '');
    this.partSizeBytes = options.partSizeBytes ?? 5 * 1024 * 1024;
  }

  /** Creates the bucket when missing (services call it at start). */
  prepare(): Promise<void> {
    return this.ensureBucket();
  }

  ensureBucket(): Promise<void> {
    return new S3ObjectStorage(this.client, { bucket: this.bucket, partSizeBytes: this.partSizeBytes, queueSize: 1 }).ensureBucket();
  }

  /** The object key of a staged name. */
  keyFor(name: string): string {
    return this.prefix === '' ? name : `${this.prefix}/${name}`;
  }

  refFor(name: string): string {
    if (!SAFE_NAME.test(name)) throw new InvalidStagingRef(`staging name ${JSON.stringify(name)} is not [A-Za-z0-9_-]+`);
    return `s3://${this.bucket}/${this.keyFor(name)}`;
  }

  async write(name: string, body: Readable, options: StagingWriteOptions): Promise<StagedFile> {
    const ref = this.refFor(name);
    if (body.readableEnded || body.destroyed) throw new StagingBodyCutOff('body was already consumed or destroyed');
    const meter = new BodyMeter(options);
    const body$ = forwardBodyFailures(body, meter);
    const stop = new AbortController();
    const target = { bucket: this.bucket, key: this.keyFor(name), partSizeBytes: this.partSizeBytes, signal: stop.signal };
    // pipe, not pipeline: on our own rejection the body stays open for the HTTP answer.
    body.pipe(meter);
    const done = streamedUpload(this.client, target, meter);
    try {
      const failed = new Promise<never>((_, reject) => meter.once('error', reject));
      // Whichever loses the race may still reject; that is already handled by the winner.
      done.catch(() => undefined);
      failed.catch(() => undefined);
      await Promise.race([done, failed]);
    } catch (error) {
      body.unpipe(meter);
      body.pause();
      meter.destroy();
      // Let the upload see the failure and abort its multipart upload before anything else.
      stop.abort(error);
      await done.catch(() => undefined);
      // A body short enough for one PutObject may have landed before the failure was seen.
      await this.removeKeys([this.keyFor(name)]).catch(() => undefined);
      throw classifyWriteFailure(error, meter, body$.cutOff());
    }
    return { ref, sizeBytes: meter.sizeBytes, sha256: meter.sha256(), head: meter.head() };
  }

  async read(ref: string, options: StagingReadOptions = {}): Promise<Readable> {
    const key = this.keyOf(ref);
    const start = options.start ?? 0;
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, ...(start > 0 ? { Range: `bytes=${start}-` } : {}) }));
      if (!(response.Body instanceof Readable)) throw new Error('GetObject returned no Node.js stream');
      return response.Body;
    } catch (error) {
      if (isNotFound(error)) throw new StagedFileNotFound(`staged file ${ref} does not exist`, { cause: error });
      // A range starting at the end of the object: nothing is left to read.
      if (statusOf(error) === 416) return Readable.from([]);
      throw error;
    }
  }

  s3Object(ref: string): S3ObjectRef {
    return { client: this.client, bucket: this.bucket, key: this.keyOf(ref) };
  }

  async remove(ref: string): Promise<void> {
    const key = this.keyOf(ref);
    // Not the tus record (`.info`): a finished upload answers HEAD from it until it expires, so
    // that a phone that lost the answer to its last PATCH does not send the video again.
    await this.removeKeys([key, `${key}${TUS_PART_SUFFIX}`]);
  }

  async exists(ref: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.keyOf(ref) }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async list(): Promise<string[]> {
    return (await this.listEntries()).map((entry) => entry.ref);
  }

  async listEntries(): Promise<StagedEntry[]> {
    const entries: StagedEntry[] = [];
    for (const object of await this.listObjects()) {
      const name = object.key.slice(this.keyFor('').length);
      if (SAFE_NAME.test(name)) entries.push({ ref: this.refFor(name), name, modifiedAt: object.modifiedAt });
    }
    return entries;
  }

  /** Every object under the prefix (not below it), tus records included. */
  async listObjects(): Promise<Array<{ key: string; modifiedAt: Date }>> {
    const objects: Array<{ key: string; modifiedAt: Date }> = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.keyFor(''), Delimiter: '/', ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key !== undefined) objects.push({ key: object.Key, modifiedAt: object.LastModified ?? new Date(0) });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return objects;
  }

  /**
   * Aborts multipart uploads of writers that died mid-body, older than `olderThanMs`. Uploads with
   * a tus record beside them are the tus intake's, which expire on their own. A server without
   * ListMultipartUploads (s3rver) has nothing to say here; a bucket lifecycle rule
   * (AbortIncompleteMultipartUpload) is the usual net on real S3 as well.
   */
  async removeStalePartials(olderThanMs: number, now: number = Date.now()): Promise<number> {
    let listing: ListMultipartUploadsCommandOutput;
    try {
      listing = await this.client.send(new ListMultipartUploadsCommand({ Bucket: this.bucket, Prefix: this.keyFor('') }));
    } catch (error) {
      if (statusOf(error) === 501 || (error as Error).name === 'NotImplemented') return 0;
      throw error;
    }
    let removed = 0;
    for (const upload of listing.Uploads ?? []) {
      if (!upload.Key || !upload.UploadId || !upload.Initiated || now - upload.Initiated.getTime() <= olderThanMs) continue;
      if (await this.objectExists(`${upload.Key}.info`)) continue;
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: upload.Key, UploadId: upload.UploadId }));
      removed += 1;
    }
    return removed;
  }

  private async objectExists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  private async removeKeys(keys: string[]): Promise<void> {
    await this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } }));
  }

  /** The key a ref names, or InvalidStagingRef when it is not an object of this store. */
  private keyOf(ref: string): string {
    const base = `s3://${this.bucket}/${this.keyFor('')}`;
    const name = ref.startsWith(base) ? ref.slice(base.length) : '';
    if (!SAFE_NAME.test(name)) throw new InvalidStagingRef(`staging ref outside s3://${this.bucket}/${this.prefix}: ${ref}`);
    return this.keyFor(name);
  }
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

function isNotFound(error: unknown): boolean {
  const name = error instanceof Error ? error.name : undefined;
  return statusOf(error) === 404 || name === 'NotFound' || name === 'NoSuchKey';
}
