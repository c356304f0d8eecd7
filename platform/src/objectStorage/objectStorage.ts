import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import type { MultipartJournal } from './multipartJournal';

export interface UploadProgress {
  readonly uploadedBytes: number;
  readonly totalBytes: number;
  /** Bytes this call itself has sent so far (a resumed upload does not count what was stored before). */
  readonly sentBytes?: number;
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
  /**
   * Streams the source into the object with a multipart upload that a later call (another
   * process, after a crash) resumes from `journal`, sending only the parts not yet stored.
   */
  uploadResumable(key: string, options: ResumableUploadRequest): Promise<ResumedObject>;
  /** Gives up the journalled upload of `key` (best effort) and clears the journal. */
  discardResumable(key: string, journal: MultipartJournal): Promise<void>;
  read(key: string): Promise<Readable>;
  /** Succeeds when the object is already gone. */
  remove(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
  /** Creates the bucket when it is missing. */
  ensureBucket(): Promise<void>;
}

/** An object in S3, with the client that reaches it (whose endpoint and keys say which store it is in). */
export interface S3ObjectRef {
  readonly client: S3Client;
  readonly bucket: string;
  readonly key: string;
}

export interface ResumableUploadRequest {
  readonly sizeBytes: number;
  readonly contentType: string;
  readonly journal: MultipartJournal;
  /** Opens the source at byte `start` (a staged file), so a resumed upload reads only what it sends. */
  readonly openSource: (start: number) => Promise<Readable>;
  /**
   * Where the same bytes lie in S3, when they do (S3 staging): a store that holds them too copies
   * them server-side instead of reading `openSource`; otherwise, or when it cannot copy, it streams.
   */
  readonly copySource?: S3ObjectRef;
  /** Called after each part is stored, with the bytes stored so far (resumed parts included). */
  readonly onProgress?: (p: UploadProgress) => void;
  readonly signal?: AbortSignal;
}

export interface ResumedObject extends StoredObject {
  /** Bytes already stored by an earlier attempt, not sent again. */
  readonly resumedBytes: number;
  /** Bytes this call sent in parts S3 accepted. */
  readonly sentBytes: number;
  /** Bytes this call had the store copy server-side from `copySource` (none of them sent). */
  readonly copiedBytes: number;
}
