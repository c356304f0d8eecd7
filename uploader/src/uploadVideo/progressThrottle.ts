/**
 * Decides which progress callbacks become `ProgressReported` events: only when the whole percent
 * has grown and at least `intervalMs` have passed since the last report, so a video yields at
 * most one event a second and at most a hundred in all, however many parts it has.
 */
export class ProgressThrottle {
  private lastPercentage = 0;
  private lastAtMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly intervalMs: number) {}

  /** The percentage to report now, or undefined to stay quiet. */
  next(uploadedBytes: number, totalBytes: number, nowMs: number): number | undefined {
    const percentage = percentageOf(uploadedBytes, totalBytes);
    // 100 is left to UploadCompleted: the object is not stored until the upload completes.
    if (percentage >= 100 || percentage <= this.lastPercentage || nowMs - this.lastAtMs < this.intervalMs) return undefined;
    this.lastPercentage = percentage;
    this.lastAtMs = nowMs;
    return percentage;
  }
}

export function percentageOf(uploadedBytes: number, totalBytes: number): number {
  if (totalBytes <= 0) return 0;
  return Math.min(100, Math.floor((uploadedBytes / totalBytes) * 100));
}
