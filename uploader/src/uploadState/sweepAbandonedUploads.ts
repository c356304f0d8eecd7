import { runPeriodically, type Logger, type ObjectStorage } from '@reelay/platform';
import { decideFailAbandonedUpload, type VideoState } from '@reelay/contracts';
import type { CommandHandler } from '@reelay/event-store';
import { appendDecided } from '../appendDecided';
import { objectKeyFor } from '../uploadVideo/objectKey';
import type { UploadJournals } from './uploadJournal';

export interface SweepDeps {
  readonly journals: UploadJournals;
  readonly repository: CommandHandler<VideoState | undefined>;
  readonly storage: ObjectStorage;
  readonly logger: Logger;
  readonly abandonedAfterMs: number;
}

/**
 * The stalled uploads no process is working on. A live attempt touches its journal row with
 * every stored part and every heartbeat; a job waiting for its redelivery (after a crash: ack_wait)
 * or its backoff (at most 30 s) is untouched for less than that. A row untouched for longer than
 * `UPLOAD_ABANDONED_AFTER_MS` therefore names an upload whose job is gone (terminated, or lost
 * with the stream): its video would stay LOADING forever. The sweep records `UploadFailed`
 * (retryable, code `UPLOAD_ABANDONED`): the user gets the failure push and can retry, and the
 * staged copy is kept for that. Rows of videos that are no longer uploading are removed.
 *
 * It runs in every uploader; the event store's optimistic concurrency lets only one copy record
 * the failure. Resolves to the videos it failed.
 */
export async function sweepAbandonedUploads(deps: SweepDeps): Promise<string[]> {
  const failed: string[] = [];
  for (const idle of await deps.journals.idleSince(deps.abandonedAfterMs)) {
    const result = await appendDecided(deps.repository, idle.videoId, idle.videoId, (state) => decideFailAbandonedUpload({ idleMs: idle.idleMs }, state));
    if (result.appended.length > 0) {
      failed.push(idle.videoId);
      deps.logger.warn({ videoId: idle.videoId, attempt: result.state?.attempt, idleMs: idle.idleMs }, 'abandoned upload recorded as failed');
    }
    await deps.storage.discardResumable(objectKeyFor(idle.videoId), deps.journals.forVideo(idle.videoId, idle.attempt)).catch(() => undefined);
  }
  return failed;
}

/** Sweeps every `intervalMs` (0: never), the first time after one interval; a failed sweep is logged and tried again. */
export function startAbandonedUploadSweeper(deps: SweepDeps & { readonly intervalMs: number }): { stop(): Promise<void> } {
  if (deps.intervalMs <= 0) return { stop: async () => undefined };
  return runPeriodically(() => sweepAbandonedUploads(deps), {
    intervalMs: deps.intervalMs,
    runAtStart: false,
    onError: (error) => deps.logger.warn({ err: error }, 'abandoned-upload sweep failed'),
  });
}
