import type { DataStore, Upload } from '@tus/utils';

/**
 * Where one staging store keeps tus uploads, and how a finished one becomes a staged file that
 * the uploader reads through the `StagingStore` port. One per kind of staging (file, S3).
 */
export interface TusArea {
  /** The @tus store that holds the bytes while they arrive. */
  readonly dataStore: DataStore;
  /** The store's id for an upload whose URL (and staging) name is `name`. */
  idFor(name: string): string;
  /** The URL and staging name of a store id. */
  nameOf(id: string): string;
  /** The first `bytes` stored of an unfinished upload, fewer than a part (the head being checked). */
  readStart(id: string, bytes: number): Promise<Buffer>;
  /** Makes the complete upload a staged file and returns its staging ref. */
  handOver(upload: Upload): Promise<string>;
  /** An upload that was handed over and that the data store alone no longer reports; or undefined. */
  handedOver(id: string): Promise<Upload | undefined>;
  /**
   * Every upload record (unfinished or handed over) with its creation time (for expiry) and its
   * metadata as the record keeps it, owner included (for `reelay forget-user`).
   */
  records(): Promise<Array<{ id: string; createdAt: Date; metadata: Upload['metadata'] }>>;
  /** Removes an upload's record and any bytes not handed over; succeeds when already gone. */
  removeRecord(id: string): Promise<void>;
}
