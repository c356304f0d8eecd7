import type pg from 'pg';

/**
 * Tells LISTENing subscribers that something was committed, after the commit and outside the
 * append's transaction: a transaction that NOTIFYs holds a cluster-wide lock while it commits,
 * so notifying inside appends would make every append's commit (and fsync) wait in one line.
 * Notifications are only wake-up calls: bursts are coalesced to one in flight plus one queued,
 * and a lost one (a crash right after a commit) costs at most the subscribers' safety poll.
 */
export class CommitNotifier {
  private inFlight: Promise<void> | undefined;
  private queued = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly channel: string,
  ) {}

  /** Resolves once a notification sent after this call has gone out (or failed; never rejects). */
  notify(): Promise<void> {
    if (this.inFlight) {
      // The one in flight may have been sent before our commit: queue one more (the chain in
      // flight sends it before it resolves).
      this.queued = true;
      return this.inFlight;
    }
    this.inFlight = this.send();
    return this.inFlight;
  }

  /** Resolves when nothing is in flight any more: before the pool is ended. */
  async settled(): Promise<void> {
    await this.inFlight;
  }

  private async send(): Promise<void> {
    try {
      await this.pool.query('select pg_notify($1, $2)', [this.channel, '']);
    } catch {
      // Best effort: subscribers fall back on their safety poll.
    }
    if (this.queued) {
      this.queued = false;
      await this.send();
      return;
    }
    this.inFlight = undefined;
  }
}
