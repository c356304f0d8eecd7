/**
 * Which parts a multipart upload of `sizeBytes` consists of, and which of them are still to be
 * sent given the parts a durable journal says are stored. Pure: no S3, no clock.
 */

export interface PartRange {
  /** 1-based, as S3 numbers parts. */
  readonly partNumber: number;
  /** First byte of the part in the source (inclusive). */
  readonly start: number;
  /** One past the last byte (exclusive). */
  readonly end: number;
}

/** S3 allows at most this many parts per upload. */
export const MAX_PARTS = 10_000;

/** The parts of a source of `sizeBytes` cut every `partSizeBytes`; an empty source is one empty part. */
export function planParts(sizeBytes: number, partSizeBytes: number): PartRange[] {
  if (!Number.isInteger(sizeBytes) || sizeBytes < 0) throw new RangeError(`sizeBytes must be a non-negative integer, got ${sizeBytes}`);
  if (!Number.isInteger(partSizeBytes) || partSizeBytes <= 0) throw new RangeError(`partSizeBytes must be a positive integer, got ${partSizeBytes}`);
  const count = Math.max(1, Math.ceil(sizeBytes / partSizeBytes));
  if (count > MAX_PARTS) throw new RangeError(`${sizeBytes} bytes in parts of ${partSizeBytes} would need ${count} parts; S3 allows ${MAX_PARTS}`);
  return Array.from({ length: count }, (_, i) => ({
    partNumber: i + 1,
    start: i * partSizeBytes,
    end: Math.min(sizeBytes, (i + 1) * partSizeBytes),
  }));
}

export interface ResumePlan {
  /** Parts still to send, in order. */
  readonly missing: readonly PartRange[];
  /** Where reading the source starts: the first missing part's first byte (the size when none is missing). */
  readonly readFrom: number;
  /** Bytes already stored, which a resumed upload does not send again. */
  readonly storedBytes: number;
}

/** What is left of `plan` when the parts numbered in `stored` are already in storage. */
export function resumePlan(plan: readonly PartRange[], stored: ReadonlySet<number>): ResumePlan {
  const missing = plan.filter((part) => !stored.has(part.partNumber));
  const storedBytes = plan.filter((part) => stored.has(part.partNumber)).reduce((sum, part) => sum + (part.end - part.start), 0);
  const last = plan[plan.length - 1];
  return { missing, readFrom: missing[0]?.start ?? last?.end ?? 0, storedBytes };
}
