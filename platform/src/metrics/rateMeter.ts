/**
 * Events per second over a sliding window, for a `/metrics` gauge that reads as "how fast now"
 * without a Prometheus `rate()` (an operator's curl, the CLI). Counts go into one-second buckets;
 * the rate is the sum of the buckets inside the window divided by the window. Time is passed in.
 */
export class RateMeter {
  private readonly buckets = new Map<number, number>();

  constructor(
    private readonly windowSeconds = 10,
    private readonly now: () => number = Date.now,
  ) {}

  record(count: number): void {
    if (count <= 0) return;
    const second = Math.floor(this.now() / 1000);
    this.buckets.set(second, (this.buckets.get(second) ?? 0) + count);
    this.prune(second);
  }

  /** Events per second over the last `windowSeconds` whole seconds (the current one included). */
  perSecond(): number {
    const second = Math.floor(this.now() / 1000);
    this.prune(second);
    let total = 0;
    for (const count of this.buckets.values()) total += count;
    return total / this.windowSeconds;
  }

  private prune(second: number): void {
    for (const bucket of this.buckets.keys()) if (bucket <= second - this.windowSeconds) this.buckets.delete(bucket);
  }
}
