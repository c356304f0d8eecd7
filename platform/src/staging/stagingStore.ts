import type { Readable } from 'node:stream';

export interface StagedFile {
  /** Where the bytes are, e.g. `file:///…/abc` or `s3://bucket/prefix/abc`; stored in events. */
  readonly ref: string;
  readonly sizeBytes: number;
  /** Hex SHA-256 of the bytes written. */
  readonly sha256: string;
  /** The first bytes of the body (up to 4 KiB), for content sniffing. */
  readonly head: Buffer;
}

export class UploadTooLarge extends Error {
  override readonly name = 'UploadTooLarge';
}

/**
 * The staging port: where received bytes wait for the uploader. A write either completes or
 * leaves nothing behind: on any error (body cut off, limit passed, disk full) the partial
 * file is removed before the error reaches the caller.
 */
export interface StagingStore {
  /**
   * Writes the body under `name`; rejects with UploadTooLarge past `maxBytes`.
   * `inspectHead` sees the first bytes as soon as they arrive and may throw to abort early
   * (e.g. "not a video") before the whole body is stored.
   */
  write(
    name: string,
    body: Readable,
    options: { maxBytes: number; inspectHead?: (head: Buffer) => void },
  ): Promise<StagedFile>;
  read(ref: string): Promise<Readable>;
  /** Succeeds when already gone. */
  remove(ref: string): Promise<void>;
  exists(ref: string): Promise<boolean>;
  /** Every staged ref, for the sweeper and for tests proving nothing was left behind. */
  list(): Promise<string[]>;
}
