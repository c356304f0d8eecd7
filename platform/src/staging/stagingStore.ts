import type { Readable } from 'node:stream';
import type { S3ObjectRef } from '../objectStorage/objectStorage';

export interface StagedFile {
  /** Where the bytes are, e.g. `file:///…/abc` or `s3://bucket/prefix/abc`; stored in events. */
  readonly ref: string;
  readonly sizeBytes: number;
  /** Hex SHA-256 of the bytes written. */
  readonly sha256: string;
  /** The first bytes of the body (up to 4 KiB), for content sniffing. */
  readonly head: Buffer;
}

/** A name or ref that does not denote a file of this store (bad characters, another folder). */
export class InvalidStagingRef extends Error {
  override readonly name = 'InvalidStagingRef';
}

/** The staged file a ref points at does not exist (any more). */
export class StagedFileNotFound extends Error {
  override readonly name = 'StagedFileNotFound';
}

/** The body ended, errored or was aborted before all of it arrived; nothing was kept. */
export class StagingBodyCutOff extends Error {
  override readonly name = 'StagingBodyCutOff';
}

/** Storing the bytes failed on our side (disk full, permissions…); see `cause`. Nothing was kept. */
export class StagingWriteFailed extends Error {
  override readonly name = 'StagingWriteFailed';
}

/** What a staged name may be: letters, digits, `_` and `-` (never a path, never hidden). */
export const SAFE_NAME = /^[A-Za-z0-9_-]+$/;

export class UploadTooLarge extends Error {
  override readonly name = 'UploadTooLarge';
}

/** The body sent nothing for longer than `idleTimeoutMs`; the write stopped and kept nothing. */
export class StagingBodyStalled extends Error {
  override readonly name = 'StagingBodyStalled';
}

/** One complete staged file, as the sweeper sees it. */
export interface StagedEntry {
  readonly ref: string;
  /** The name it was written under (the last segment of its ref). */
  readonly name: string;
  /** When its last byte was written. */
  readonly modifiedAt: Date;
}

export interface StagingWriteOptions {
  readonly maxBytes: number;
  /**
   * Sees the first bytes as soon as they arrive and may throw to abort early (e.g. "not a
   * video") before the whole body is stored.
   */
  readonly inspectHead?: (head: Buffer) => void;
  /** Fail with StagingBodyStalled when no byte arrives for this long (a client that went quiet). */
  readonly idleTimeoutMs?: number;
  /** Told the running count of bytes received, for every chunk (the progress bar while receiving). */
  readonly onBytes?: (receivedBytes: number) => void;
}

export interface StagingReadOptions {
  /** The first byte to read (0 by default). */
  readonly start?: number;
}

/**
 * The name a ref was written under: every ref ends in it, whatever the store (`file:///dir/<name>`,
 * `s3://bucket/prefix/<name>`). Comparing names rather than whole refs keeps a file that is
 * referenced under another spelling of the same folder from looking unreferenced.
 */
export function stagingRefName(ref: string): string {
  return ref.slice(ref.lastIndexOf('/') + 1);
}

/**
 * The staging port: where received bytes wait for the uploader. A write either completes or
 * leaves nothing behind: on any error (body cut off, limit passed, disk full) the partial
 * file is removed before the error reaches the caller.
 */
export interface StagingStore {
  /** Makes what the store needs before its first write, if anything (on S3: the bucket). */
  prepare?(): Promise<void>;
  /**
   * Writes the body under `name`; rejects with UploadTooLarge past `maxBytes`, with
   * StagingBodyStalled when it goes quiet, or with whatever `inspectHead` threw.
   */
  write(name: string, body: Readable, options: StagingWriteOptions): Promise<StagedFile>;
  /**
   * The staged bytes, from byte `start` (0 by default) to the end: an upload that resumes after
   * its first bytes are already stored reads only the rest. Rejects with StagedFileNotFound.
   */
  read(ref: string, options?: StagingReadOptions): Promise<Readable>;
  /** The ref of the file staged under `name` (written here, or handed over by the tus intake). */
  refFor(name: string): string;
  /**
   * Where a staged file lies in S3, for a server-side copy into the videos bucket; stores that
   * are not S3 (a folder) do not have it.
   */
  s3Object?(ref: string): S3ObjectRef;
  /** Succeeds when already gone. */
  remove(ref: string): Promise<void>;
  exists(ref: string): Promise<boolean>;
  /** Every staged ref, for the sweeper and for tests proving nothing was left behind. */
  list(): Promise<string[]>;
  /** Every complete staged file with its age, for the sweeper. */
  listEntries(): Promise<StagedEntry[]>;
  /**
   * Removes what writers that died mid-body left behind (never visible in `list`): temporary
   * files untouched for longer than `olderThanMs`. Returns how many.
   */
  removeStalePartials(olderThanMs: number, now?: number): Promise<number>;
}
