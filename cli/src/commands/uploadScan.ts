import { setTimeout as sleep } from 'node:timers/promises';
import { START, type Position } from '@reelay/contracts';
import type { EventStore } from '@reelay/event-store';
import { CliFailure, type ProgressReporter } from '../cliContext';

/**
 * The user's videos in the log (every UploadRequested of theirs), read page by page from the
 * start and then on from where the last read stopped: a global read never skips an event that
 * commits late, it only holds it back until it can be read in order.
 */
export class UploadScan {
  readonly videoIds = new Set<string>();
  /** UserForgotten events read so far (of any user): what `until` waits for. */
  private readonly seen = new Set<string>();
  private from: Position = START;

  constructor(
    private readonly store: EventStore,
    private readonly userId: string,
  ) {}

  /** Reads on until nothing more is visible now. */
  async toVisibleEnd(progress?: ProgressReporter): Promise<void> {
    try {
      while ((await this.nextPage(progress)) > 0);
    } finally {
      progress?.stop();
    }
  }

  /** Reads on until the event `eventId` is visible: everything committed before it is then read too. */
  async until(eventId: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.seen.has(eventId)) {
      if ((await this.nextPage(undefined)) > 0) continue;
      if (Date.now() > deadline) {
        throw new CliFailure(`the log did not show UserForgotten ${eventId} within ${timeoutMs} ms (a transaction held open elsewhere holds reads back); the keys are destroyed, run forget-user again to delete the videos`);
      }
      await sleep(50);
    }
  }

  private async nextPage(progress: ProgressReporter | undefined): Promise<number> {
    const page = await this.store.readAll({ from: this.from, limit: 1000, eventTypes: ['UploadRequested', 'UserForgotten'] });
    for (const event of page) {
      if (event.type === 'UserForgotten') this.seen.add(event.id);
      const data = event.data as { userId?: string; videoId?: string };
      if (event.type === 'UploadRequested' && data.userId === this.userId && data.videoId) this.videoIds.add(data.videoId);
    }
    progress?.tick(page.length);
    const last = page.at(-1);
    if (last) this.from = last.position;
    return page.length;
  }
}
