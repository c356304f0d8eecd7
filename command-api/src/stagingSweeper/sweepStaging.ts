import type { VideoState } from '@reelay/contracts';
import type { Logger, StagingStore } from '@reelay/platform';
import type { CommandHandler } from '@reelay/event-store';
import { videoIdOfStagingName } from '../requestUpload/stagingName';
import { decideStagedFile } from './decideStagedFile';

export interface SweepDeps {
  readonly staging: StagingStore;
  readonly repository: CommandHandler<VideoState | undefined>;
  /** Files written more recently than this are left alone. */
  readonly graceMs: number;
  readonly logger: Logger;
}

export interface SweepReport {
  /** Complete files old enough to be judged. */
  readonly examined: number;
  readonly removed: readonly string[];
  /** Temporary files of writers that died mid-body. */
  readonly partialsRemoved: number;
  /** Files that could not be judged (their stream could not be read); kept, tried again next time. */
  readonly undecided: number;
}

/**
 * One pass over staging: removes what no request can still be writing and no event needs.
 *
 * Never a file in use: a request writes to a temporary name (only swept when untouched for the
 * grace period, far longer than the upload idle timeout that cuts off a silent client) and
 * renames it into place just before it appends `UploadRequested`; a complete file younger than
 * the grace period is skipped, so the append always comes first. Every other file is judged
 * against the stream its name points at (the `stagingRef` of its `UploadRequested`), one
 * stream read per old file: the whole log is never scanned. On any doubt (a stream that cannot
 * be read) the file stays.
 */
export async function sweepStaging(deps: SweepDeps, now: number = Date.now()): Promise<SweepReport> {
  const partialsRemoved = await deps.staging.removeStalePartials(deps.graceMs, now);
  const removed: string[] = [];
  let examined = 0;
  let undecided = 0;
  for (const entry of await deps.staging.listEntries()) {
    if (now - entry.modifiedAt.getTime() <= deps.graceMs) continue;
    examined += 1;
    const videoId = videoIdOfStagingName(entry.name);
    let state: VideoState | undefined;
    try {
      state = videoId ? await deps.repository.load(videoId) : undefined;
    } catch (error) {
      undecided += 1;
      deps.logger.warn({ err: error, ref: entry.ref }, 'staging sweep: could not read the video of a staged file; keeping it');
      continue;
    }
    const decision = decideStagedFile(entry.name, videoId, state);
    if (!decision.remove) continue;
    await deps.staging.remove(entry.ref);
    removed.push(entry.ref);
    deps.logger.info({ ref: entry.ref, reason: decision.reason }, 'staging sweep: removed a staged file');
  }
  return { examined, removed, partialsRemoved, undecided };
}
