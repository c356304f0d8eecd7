import {
  NotFound,
  backoffDelay,
  decideCompleteUpload,
  decideFailUpload,
  decideReportProgress,
  decideStartUpload,
  type UploadJob,
  type VideoEventOf,
  type VideoState,
} from '@reelay/contracts';
import type { Logger, ObjectStorage, StagingStore } from '@reelay/platform';
import type { JobDelivery } from '@reelay/platform/jobs';
import type { CommandHandler, Decision } from '@reelay/event-store';
import { appendDecided, type BoundDecider } from '../appendDecided';
import type { UploadJournals, VideoUploadJournal } from '../uploadState/uploadJournal';
import { objectKeyFor } from './objectKey';
import { ProgressThrottle } from './progressThrottle';
import { JOB_RETRY_BACKOFF, classifyFailure } from './classifyFailure';
import { AttemptSuperseded, ShuttingDown, watchAttempt } from './attemptWatch';

export interface UploadDeps {
  readonly repository: CommandHandler<VideoState | undefined>;
  readonly staging: StagingStore;
  readonly storage: ObjectStorage;
  readonly journals: UploadJournals;
  readonly logger: Logger;
  readonly maxAttempts: number;
  readonly progressIntervalMs: number;
  /** How often a long upload tells JetStream (and the journal) it is still alive: well under ack_wait. */
  readonly heartbeatMs: number;
  /** An attempt that stores no part for this long is aborted and handed back. */
  readonly stallTimeoutMs: number;
  /** Aborts in-flight attempts when the uploader shuts down: they are handed back, not failed. */
  readonly shutdown?: AbortSignal;
  readonly now?: () => number;
  /** Bytes sent to storage, and bytes an attempt did not send again because they were stored. */
  readonly onBytes?: (sent: number) => void;
  readonly onResumed?: (bytes: number) => void;
}

/**
 * One upload job: `UploadStarted`, the staged bytes streamed into object storage with throttled
 * `ProgressReported`, then `UploadCompleted` and the staged copy removed. The multipart upload is
 * journalled, so a redelivered job (after a crash, a stall or a shutdown) resumes from the parts
 * already stored. A retryable failure is handed back to JetStream with a backoff; the last
 * attempt, or a permanent failure, records `UploadFailed` and keeps the staged copy for a retry.
 */
export async function uploadVideo(job: UploadJob, delivery: JobDelivery, deps: UploadDeps): Promise<void> {
  const now = deps.now ?? Date.now;
  const log = deps.logger.child({ videoId: job.videoId, delivery: delivery.deliveryCount });
  const objectKey = objectKeyFor(job.videoId);
  const decide = (decider: BoundDecider) => appendDecided(deps.repository, job.videoId, job.requestEventId, decider);

  let started: Decision<VideoState | undefined>;
  try {
    started = await decide((state) => decideStartUpload({ videoId: job.videoId, bucket: deps.storage.bucket, objectKey }, state));
  } catch (error) {
    if (!(error instanceof NotFound)) throw error;
    log.warn({ reason: error.message }, 'upload job for an unknown video; terminating it');
    delivery.term(error.message);
    return;
  }
  const [start] = started.appended;
  if (!start) {
    log.info({ status: started.state?.status }, 'nothing to upload');
    await delivery.ack();
    return;
  }
  const { attempt } = start.data as VideoEventOf<'UploadStarted'>['data'];
  const video = started.state as VideoState;
  const journal = deps.journals.forVideo(job.videoId, attempt);
  const startedAt = now();
  const abort = new AbortController();
  const watch = watchAttempt({
    heartbeatMs: deps.heartbeatMs,
    stallTimeoutMs: deps.stallTimeoutMs,
    now,
    abort,
    shutdown: deps.shutdown,
    heartbeat: () => {
      delivery.working();
      journal.touch().catch((error: unknown) => log.warn({ err: error }, 'could not touch the upload journal'));
    },
  });

  // Progress events are appended one at a time, off the upload's path; a slow append skips reports.
  const throttle = new ProgressThrottle(deps.progressIntervalMs);
  let progressInFlight: Promise<void> = Promise.resolve();
  let progressBusy = false;
  const reportProgress = (uploadedBytes: number, totalBytes: number) => {
    const percentage = throttle.next(uploadedBytes, totalBytes, now());
    if (percentage === undefined || progressBusy) return;
    progressBusy = true;
    progressInFlight = decide((state) => decideReportProgress({ attempt, uploadedBytes, totalBytes, percentage }, state))
      .then((reported) => {
        if (reported.appended.length === 0) abort.abort(new AttemptSuperseded(`attempt ${attempt} is no longer the live one`));
      })
      .catch((error: unknown) => log.warn({ err: error }, 'could not record progress'))
      .finally(() => {
        progressBusy = false;
      });
  };

  try {
    await journal.touch();
    let sent = 0;
    const stored = await deps.storage.uploadResumable(objectKey, {
      sizeBytes: video.metaInfo.sizeBytes,
      contentType: video.metaInfo.contentType,
      journal,
      signal: abort.signal,
      openSource: (start) => deps.staging.read(video.stagingRef, { start }),
      // S3 staging in the videos' store: the store copies the bytes itself (UploadPartCopy).
      copySource: deps.staging.s3Object?.(video.stagingRef),
      onProgress: ({ uploadedBytes, totalBytes, sentBytes = 0 }) => {
        watch.activity();
        deps.onBytes?.(sentBytes - sent);
        sent = sentBytes;
        reportProgress(uploadedBytes, totalBytes || video.metaInfo.sizeBytes);
      },
    });
    watch.stop();
    if (stored.resumedBytes > 0) {
      deps.onResumed?.(stored.resumedBytes);
      log.info({ resumedBytes: stored.resumedBytes, sentBytes: stored.sentBytes, copiedBytes: stored.copiedBytes }, 'upload resumed from stored parts');
    }
    if (stored.copiedBytes > 0) log.info({ copiedBytes: stored.copiedBytes, sentBytes: stored.sentBytes }, 'copied server-side from S3 staging');
    await progressInFlight;
    const completed = await decide((state) =>
      decideCompleteUpload({ attempt, bucket: stored.bucket, objectKey: stored.key, etag: stored.etag, startedAtMs: startedAt, completedAtMs: now() }, state),
    );
    if (completed.appended.length === 0) {
      await handleSuperseded(completed.state, objectKey, deps, log);
    } else {
      await deps.staging.remove(video.stagingRef);
      await journal.forget();
      log.info({ objectKey, sizeBytes: video.metaInfo.sizeBytes, attempt }, 'upload completed');
    }
    await delivery.ack();
  } catch (error) {
    watch.stop();
    await progressInFlight;
    const reason: unknown = abort.signal.aborted ? abort.signal.reason : undefined;
    if (reason instanceof AttemptSuperseded) {
      await handleSuperseded(await deps.repository.load(job.videoId), objectKey, deps, log);
      await delivery.ack();
      return;
    }
    if (reason instanceof ShuttingDown) {
      // Not a failure: the parts stored so far are journalled, and the next uploader resumes.
      log.info('shutting down; handing the upload back');
      delivery.nak(0);
      return;
    }
    await handleFailure(reason ?? error, job, delivery, attempt, journal, deps, log);
  } finally {
    watch.stop();
  }
}

/** Another attempt or a deletion overtook this one: keep nothing a deleted video would leave behind. */
async function handleSuperseded(state: VideoState | undefined, objectKey: string, deps: UploadDeps, log: Logger): Promise<void> {
  if (state?.status === 'DELETED') {
    await deps.storage.remove(objectKey);
    await deps.staging.remove(state.stagingRef);
    await deps.journals.forget(state.videoId);
    log.info('video was deleted during its upload; object removed');
  } else {
    log.info({ status: state?.status }, 'attempt superseded; leaving the video to the live attempt');
  }
}

async function handleFailure(
  error: unknown,
  job: UploadJob,
  delivery: JobDelivery,
  attempt: number,
  journal: VideoUploadJournal,
  deps: UploadDeps,
  log: Logger,
): Promise<void> {
  const failure = classifyFailure(error);
  if (failure.retryable && delivery.deliveryCount < deps.maxAttempts) {
    const delay = backoffDelay(delivery.deliveryCount, JOB_RETRY_BACKOFF, Math.random());
    log.warn({ err: error, code: failure.code, delayMs: delay }, 'upload attempt failed; retrying later');
    delivery.nak(delay);
    return;
  }
  log.error({ err: error, code: failure.code }, 'upload failed for good');
  try {
    const reason = failure.retryable ? `gave up after ${delivery.deliveryCount} attempts: ${failure.reason}` : failure.reason;
    const recorded = await appendDecided(deps.repository, job.videoId, job.requestEventId, (state) =>
      decideFailUpload({ attempt, code: failure.code, reason, retryable: failure.retryable }, state),
    );
    // A retry starts a fresh multipart upload; this one is given up (best effort) and forgotten.
    if (recorded.appended.length > 0) await deps.storage.discardResumable(objectKeyFor(job.videoId), journal).catch(() => undefined);
    await delivery.ack();
  } catch (recordError) {
    // The failure could not be recorded (database down): let JetStream bring the job back.
    log.error({ err: recordError }, 'could not record UploadFailed');
    delivery.nak(backoffDelay(delivery.deliveryCount, JOB_RETRY_BACKOFF, Math.random()));
  }
}
