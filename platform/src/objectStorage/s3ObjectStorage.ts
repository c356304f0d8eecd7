import { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { MultipartJournal } from './multipartJournal';
import type { ObjectStorage, ResumableUploadRequest, ResumedObject, StoredObject, UploadProgress } from './objectStorage';
import { COPY_OBJECT_MAX_BYTES } from './partCopy';
import { discardResumableUpload, resumableUpload } from './resumableUpload';
import { UploadSizeMismatch, countExactly } from './countExactly';
import { sameStore } from './sameStore';

export { UploadSizeMismatch, sameStore };

/** S3 (or anything speaking it) failed for a reason other than a missing object; see `cause`. */
export class ObjectStorageError extends Error {
  override readonly name = 'ObjectStorageError';
}

/** The object asked for does not exist. */
export class ObjectNotFound extends Error {
  override readonly name = 'ObjectNotFound';
}

export interface S3ObjectStorageOptions {
  readonly bucket: string;
  /** Bytes per multipart part (S3's minimum is 5 MiB); the upload holds about partSize × queueSize in memory. */
  readonly partSizeBytes: number;
  /** Parts uploaded concurrently. */
  readonly queueSize: number;
  /** Copy a source in this same store server-side (default); false always streams it. */
  readonly serverSideCopy?: boolean;
  /**
   * A source of at most this many bytes is copied with one CopyObject (default, and at most, 5 GiB:
   * S3's limit); larger ones in parts. 0 always copies in parts.
   */
  readonly wholeCopyMaxBytes?: number;
}

/**
 * ObjectStorage over an S3 client. Uploads go through `@aws-sdk/lib-storage`, which reads the
 * body part by part, so memory stays near partSize × queueSize whatever the video's size.
 * A failed or aborted upload destroys its body: half-read, it is of no use to anyone, and a file
 * stream would otherwise hold its descriptor.
 */
export class S3ObjectStorage implements ObjectStorage {
  readonly bucket: string;
  /** Until the store answers a CopyObject or an UploadPartCopy with "not implemented". */
  private readonly copies: { object: boolean; parts: boolean };

  constructor(
    private readonly client: S3Client,
    private readonly options: S3ObjectStorageOptions,
  ) {
    this.bucket = options.bucket;
    const copying = options.serverSideCopy ?? true;
    this.copies = { object: copying, parts: copying };
  }

  async upload(
    key: string,
    body: Readable,
    options: { sizeBytes: number; contentType: string; onProgress?: (p: UploadProgress) => void; signal?: AbortSignal },
  ): Promise<StoredObject> {
    const { sizeBytes, contentType, onProgress, signal } = options;
    signal?.throwIfAborted();
    const counted = countExactly(body, sizeBytes);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: counted, ContentType: contentType, ContentLength: sizeBytes },
      partSize: this.options.partSizeBytes,
      queueSize: this.options.queueSize,
    });
    if (onProgress) {
      upload.on('httpUploadProgress', (progress) => {
        onProgress({ uploadedBytes: progress.loaded ?? 0, totalBytes: sizeBytes });
      });
    }
    const abort = () => void upload.abort();
    signal?.addEventListener('abort', abort, { once: true });
    try {
      const result = await upload.done();
      // Ceph's gateway answers a multipart completion with an empty ETag; HeadObject has it.
      const etag = result.ETag || (await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }))).ETag;
      if (!etag) throw new ObjectStorageError(`S3 gave no ETag for ${this.bucket}/${key}`);
      return { bucket: this.bucket, key, etag };
    } catch (error) {
      // Stop reading the source (a file handle, a socket) rather than leaving it half-consumed.
      counted.destroy();
      if (signal?.aborted) throw signal.reason ?? error;
      // When the body failed, lib-storage may report a follow-up error (e.g. s3rver's 405 on
      // AbortMultipartUpload) instead of the real reason; prefer the body's own error.
      const bodyError = counted.failure();
      if (bodyError instanceof UploadSizeMismatch) throw bodyError;
      throw new ObjectStorageError(`upload of ${this.bucket}/${key} failed`, { cause: bodyError ?? error });
    } finally {
      signal?.removeEventListener('abort', abort);
    }
  }

  /**
   * A journalled multipart upload. When the source lies in this same store (`copySource` reached
   * with our endpoint and keys), its parts are copied server-side; a source in another store, or
   * a store that turned out not to copy (s3rver), is streamed through this process instead.
   */
  async uploadResumable(key: string, options: ResumableUploadRequest): Promise<ResumedObject> {
    const { copySource, ...request } = options;
    const copyable = copySource !== undefined && (this.copies.object || this.copies.parts) && (await sameStore(this.client, copySource.client));
    return resumableUpload(this.client, {
      ...request,
      bucket: this.bucket,
      key,
      partSizeBytes: this.options.partSizeBytes,
      concurrency: this.options.queueSize,
      ...(copyable ? { copySource: { bucket: copySource.bucket, key: copySource.key } } : {}),
      copyInParts: this.copies.parts,
      wholeCopyMaxBytes: this.copies.object ? Math.min(this.options.wholeCopyMaxBytes ?? COPY_OBJECT_MAX_BYTES, COPY_OBJECT_MAX_BYTES) : 0,
      onCopyUnsupported: (_error, how) => {
        this.copies[how] = false;
      },
    });
  }

  discardResumable(key: string, journal: MultipartJournal): Promise<void> {
    return discardResumableUpload(this.client, this.bucket, key, journal);
  }

  async read(key: string): Promise<Readable> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!(response.Body instanceof Readable)) throw new Error('GetObject returned no Node.js stream');
      return response.Body;
    } catch (error) {
      if (isNotFound(error)) throw new ObjectNotFound(`object ${this.bucket}/${key} does not exist`, { cause: error });
      throw new ObjectStorageError(`reading ${this.bucket}/${key} failed`, { cause: error });
    }
  }

  async remove(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (error) {
      // S3 answers 204 for a missing key; some compatible stores answer NoSuchKey.
      if (isNotFound(error) && errorName(error) !== 'NoSuchBucket') return;
      throw new ObjectStorageError(`removing ${this.bucket}/${key} failed`, { cause: error });
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw new ObjectStorageError(`checking ${this.bucket}/${key} failed`, { cause: error });
    }
  }

  async ensureBucket(): Promise<void> {
    if (await this.bucketExists()) return;
    try {
      await this.createBucket();
    } catch (error) {
      const name = errorName(error);
      // Another instance may have created it between our check and our create. BucketAlreadyExists
      // can also mean "owned by another account", so look again rather than trusting the code.
      if ((name === 'BucketAlreadyOwnedByYou' || name === 'BucketAlreadyExists') && (await this.bucketExists())) return;
      throw new ObjectStorageError(`creating bucket ${this.bucket} failed`, { cause: error });
    }
  }

  /**
   * CreateBucket as AWS wants it: outside us-east-1 the SDK names the client's region as the
   * LocationConstraint. Ceph's gateway accepts only its zonegroup's name there and answers 400
   * InvalidLocationConstraint; such a store puts the bucket where it lives anyway, so ask again
   * without a LocationConstraint.
   */
  private async createBucket(): Promise<void> {
    try {
      await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
    } catch (error) {
      if (errorName(error) !== 'InvalidLocationConstraint') throw error;
      const withoutConstraint = new CreateBucketCommand({ Bucket: this.bucket });
      withoutConstraint.middlewareStack.add(
        (next) => (args) => {
          delete (args.input as { CreateBucketConfiguration?: unknown }).CreateBucketConfiguration;
          return next(args);
        },
        // After the SDK's location-constraint middleware (initialize), before the request is built.
        { step: 'serialize', priority: 'high', name: 'omitLocationConstraint' },
      );
      await this.client.send(withoutConstraint);
    }
  }

  private async bucketExists(): Promise<boolean> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw new ObjectStorageError(`checking bucket ${this.bucket} failed`, { cause: error });
    }
  }
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

function isNotFound(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  const name = errorName(error);
  return status === 404 || name === 'NotFound' || name === 'NoSuchKey' || name === 'NoSuchBucket';
}
