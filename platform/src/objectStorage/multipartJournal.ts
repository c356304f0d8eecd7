/** One stored part of a multipart upload, as S3 acknowledged it. */
export interface StoredPart {
  readonly partNumber: number;
  readonly etag: string;
}

/** What a journal remembers of one object's multipart upload. */
export interface MultipartJournalEntry {
  readonly uploadId: string;
  /** The part size the parts were cut with; a resume with another size starts over. */
  readonly partSizeBytes: number;
  readonly parts: readonly StoredPart[];
  /** Set once CompleteMultipartUpload succeeded: only the event is then missing. */
  readonly completedEtag: string | null;
}

/**
 * Durable memory of one object's multipart upload, so that a process started after a crash can
 * resume it: S3-compatible stores do not all offer ListParts (s3rver has none), so we cannot
 * ask storage which parts it holds. Every method is a durable write, done before the upload
 * goes on, so the journal never names a part that is not stored.
 */
export interface MultipartJournal {
  load(): Promise<MultipartJournalEntry | undefined>;
  /** A new upload replaces whatever was remembered before. */
  begin(uploadId: string, partSizeBytes: number): Promise<void>;
  /**
   * Records a part of upload `uploadId`; ignored when the journal names another upload by now
   * (a superseded attempt still running must not mix its parts into a newer upload's).
   */
  partStored(uploadId: string, part: StoredPart): Promise<void>;
  completed(etag: string): Promise<void>;
  /** The upload is gone (aborted, expired, completed and recorded): remember nothing. */
  forget(): Promise<void>;
}

/** A journal in memory: for tests and for callers that need no resume. */
export class InMemoryMultipartJournal implements MultipartJournal {
  private entry: MultipartJournalEntry | undefined;

  async load(): Promise<MultipartJournalEntry | undefined> {
    return this.entry;
  }

  async begin(uploadId: string, partSizeBytes: number): Promise<void> {
    this.entry = { uploadId, partSizeBytes, parts: [], completedEtag: null };
  }

  async partStored(uploadId: string, part: StoredPart): Promise<void> {
    if (this.entry?.uploadId !== uploadId) return;
    this.entry = { ...this.entry, parts: [...this.entry.parts.filter((p) => p.partNumber !== part.partNumber), part] };
  }

  async completed(etag: string): Promise<void> {
    if (!this.entry) throw new Error('completed before begin');
    this.entry = { ...this.entry, completedEtag: etag };
  }

  async forget(): Promise<void> {
    this.entry = undefined;
  }
}
