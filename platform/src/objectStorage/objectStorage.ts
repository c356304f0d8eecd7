import type { Readable } from 'node:stream';

export interface UploadProgress {
  readonly uploadedBytes: number;
  readonly totalBytes: number;
}

export interface StoredObject {
  readonly bucket: string;
  readonly key: string;
  readonly etag: string;
}

/** The object storage port: the final home of videos (S3 or anything that speaks it). */
export interface ObjectStorage {
  readonly bucket: string;
  /** Streams `body` into the object with a multipart upload; never buffers it whole. */
  upload(
    key: string,
    body: Readable,
    options: { sizeBytes: number; contentType: string; onProgress?: (p: UploadProgress) => void; signal?: AbortSignal },
  ): Promise<StoredObject>;
  read(key: string): Promise<Readable>;
  /** Succeeds when the object is already gone. */
  remove(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
  /** Creates the bucket when it is missing. */
  ensureBucket(): Promise<void>;
}
