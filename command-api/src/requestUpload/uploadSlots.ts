/**
 * How many uploads each user has streaming into this process, bounded per user. One phone
 * opening dozens of uploads at once would otherwise hold as many sockets and staging files.
 * Per process, like the request rate: N copies allow N times as many.
 */
export class UploadSlots {
  private readonly inFlight = new Map<string, number>();

  constructor(readonly perUser: number) {}

  /** A release function (safe to call twice), or undefined when the user's slots are all taken. */
  tryAcquire(userId: string): (() => void) | undefined {
    const current = this.inFlight.get(userId) ?? 0;
    if (current >= this.perUser) return undefined;
    this.inFlight.set(userId, current + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.inFlight.get(userId) ?? 1) - 1;
      if (left > 0) this.inFlight.set(userId, left);
      else this.inFlight.delete(userId);
    };
  }

  inUse(userId: string): number {
    return this.inFlight.get(userId) ?? 0;
  }
}
