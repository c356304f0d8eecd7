import type { UploadJob, VideoState } from '@reelay/contracts';
import { newEvent, type JobDelivery, type Logger, type ObjectStorage, type StagingStore, type VideoRepository } from '@reelay/platform';
import { decideUpload, objectKeyFor, ownsAttempt } from './decideUpload';
import { ProgressThrottle } from './progressThrottle';
import { backoffMs, classifyFailure } from './classifyFailure';

export interface UploadDeps {
  readonly repository: VideoRepository;
  readonly staging: StagingStore;
  readonly storage: ObjectStorage;
  readonly logger: Logger;
  readonly maxAttempts: number;
  readonly progressIntervalMs: number;
  /** How often a long upload tells JetStream it is still alive (well under ack_wait). */
  readonly heartbeatMs?: number;
  readonly now?: () => number;
  readonly onBytes?: (bytes: number) => void;
}

/** Thrown inside an upload when its attempt stopped being the live one (deleted, superseded). */
class AttemptSuperseded extends Error {
  override readonly name = 'AttemptSuperseded';
}

/**
 * One upload job: `UploadStarted`, the staged bytes streamed into object storage with throttled
 * `ProgressReported`, then `UploadCompleted` and the staged copy removed. A retryable failure is
 * handed back to JetStream with a backoff; the last attempt, or a permanent failure, records
 * `UploadFailed` and keeps the staged copy for a later retry.
 */
export async function uploadVideo(job: UploadJob, delivery: JobDelivery, deps: UploadDeps): Promise<void> {
  const now = deps.now ?? Date.now;
  const log = deps.logger.child({ videoId: job.videoId, delivery: delivery.deliveryCount });
  const metadataFor = (state: VideoState) => ({ correlationId: job.requestEventId, causationId: job.requestEventId, userId: state.userId });

  let attempt = 0;
  const started = await deps.repository.decide(job.videoId, (state) => {
    const decision = decideUpload(state);
    if (decision.action !== 'start' || !state) return [];
    attempt = decision.attempt;
    return [newEvent({ type: 'UploadStarted', data: { attempt, bucket: deps.storage.bucket, objectKey: objectKeyFor(job.videoId) } }, metadataFor(state))];
  });
  if (started.appended.length === 0) {
    const decision = decideUpload(started.state);
    if (decision.action === 'reject') {
      log.warn({ reason: decision.reason }, 'upload job for an unknown video; terminating it');
      delivery.term(decision.reason);
      return;
    }
    log.info({ reason: decision.action === 'skip' ? decision.reason : '' }, 'nothing to upload');
    await delivery.ack();
    return;
  }
  const video = started.state as VideoState;
  const objectKey = objectKeyFor(job.videoId);
  const startedAt = now();
  const heartbeat = setInterval(() => delivery.working(), deps.heartbeatMs ?? 10_000);
  const abort = new AbortController();

  // Progress events are appended one at a time, off the upload's path; a slow append skips reports.
  const throttle = new ProgressThrottle(deps.progressIntervalMs);
  let progressInFlight: Promise<void> = Promise.resolve();
  let progressBusy = false;
  const reportProgress = (uploadedBytes: number, totalBytes: number) => {
    const percentage = throttle.next(uploadedBytes, totalBytes, now());
    if (percentage === undefined || progressBusy) return;
    progressBusy = true;
    progressInFlight = deps.repository
      .decide(job.videoId, (state) => {
        if (!ownsAttempt(state, attempt)) {
          abort.abort(new AttemptSuperseded(`attempt ${attempt} is no longer the live one`));
          return [];
        }
        return [newEvent({ type: 'ProgressReported', data: { attempt, uploadedBytes, totalBytes, percentage } }, metadataFor(video))];
      })
      .then(() => undefined)
      .catch((error: unknown) => log.warn({ err: error }, 'could not record progress'))
      .finally(() => {
        progressBusy = false;
      });
  };

  try {
    const body = await deps.staging.read(video.stagingRef);
    let reported = 0;
    const stored = await deps.storage.upload(objectKey, body, {
      sizeBytes: video.metaInfo.sizeBytes,
      contentType: video.metaInfo.contentType,
      signal: abort.signal,
      onProgress: ({ uploadedBytes, totalBytes }) => {
        deps.onBytes?.(uploadedBytes - reported);
        reported = uploadedBytes;
        reportProgress(uploadedBytes, totalBytes || video.metaInfo.sizeBytes);
      },
    });
    await progressInFlight;
    const completed = await deps.repository.decide(job.videoId, (state) =>
      ownsAttempt(state, attempt)
        ? [
            newEvent(
              {
                type: 'UploadCompleted',
                data: { attempt, bucket: stored.bucket, objectKey: stored.key, etag: stored.etag, sizeBytes: video.metaInfo.sizeBytes, durationMs: Math.max(0, Math.round(now() - startedAt)) },
              },
              metadataFor(video),
            ),
          ]
        : [],
    );
    if (completed.appended.length === 0) {
      await handleSuperseded(completed.state, objectKey, deps, log);
    } else {
      await deps.staging.remove(video.stagingRef);
      log.info({ objectKey, sizeBytes: video.metaInfo.sizeBytes, attempt }, 'upload completed');
    }
    await delivery.ack();
  } catch (error) {
    await progressInFlight;
    if (abort.signal.aborted && abort.signal.reason instanceof AttemptSuperseded) {
      await handleSuperseded(await deps.repository.load(job.videoId), objectKey, deps, log);
      await delivery.ack();
      return;
    }
    await handleFailure(error, job, delivery, attempt, video, deps, log);
  } finally {
    clearInterval(heartbeat);
  }
}

/** Another attempt or a deletion overtook this one: keep nothing a deleted video would leave behind. */
async function handleSuperseded(state: VideoState | undefined, objectKey: string, deps: UploadDeps, log: Logger): Promise<void> {
  if (state?.status === 'DELETED') {
    await deps.storage.remove(objectKey);
    await deps.staging.remove(state.stagingRef);
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
  video: VideoState,
  deps: UploadDeps,
  log: Logger,
): Promise<void> {
  const failure = classifyFailure(error);
  if (failure.retryable && delivery.deliveryCount < deps.maxAttempts) {
    const delay = backoffMs(delivery.deliveryCount);
    log.warn({ err: error, code: failure.code, delayMs: delay }, 'upload attempt failed; retrying later');
    delivery.nak(delay);
    return;
  }
  log.error({ err: error, code: failure.code }, 'upload failed for good');
  try {
    await deps.repository.decide(job.videoId, (state) =>
      ownsAttempt(state, attempt)
        ? [
            newEvent(
              {
                type: 'UploadFailed',
                data: {
                  reason: failure.retryable ? `gave up after ${delivery.deliveryCount} attempts: ${failure.reason}` : failure.reason,
                  code: failure.code,
                  attempt,
                  retryable: failure.retryable,
                },
              },
              { correlationId: job.requestEventId, causationId: job.requestEventId, userId: video.userId },
            ),
          ]
        : [],
    );
    await delivery.ack();
  } catch (recordError) {
    // The failure could not be recorded (database down): let JetStream bring the job back.
    log.error({ err: recordError }, 'could not record UploadFailed');
    delivery.nak(backoffMs(delivery.deliveryCount));
  }
}
