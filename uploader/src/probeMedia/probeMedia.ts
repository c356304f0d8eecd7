import { backoffDelay, decideFinishProbe, decideProbe, type FinishProbe, type ProbeJob, type VideoState } from '@reelay/contracts';
import type { Logger } from '@reelay/platform';
import type { JobDelivery } from '@reelay/platform/jobs';
import type { CommandHandler } from '@reelay/event-store';
import { appendDecided } from '../appendDecided';
import { JOB_RETRY_BACKOFF } from '../uploadVideo/classifyFailure';
import type { MediaProber, ProbeOutcome, RangeSource } from './readMediaFacts';
import { UnreadableContainer } from './mediaFacts';

export interface ProbeDeps {
  readonly repository: CommandHandler<VideoState | undefined>;
  readonly prober: MediaProber;
  /** Opens the stored object for ranged reads. */
  readonly openStored: (bucket: string, objectKey: string) => Promise<RangeSource>;
  readonly logger: Logger;
  readonly maxAttempts: number;
  readonly onProbed?: (outcome: ProbeOutcome, ms: number) => void;
}

/**
 * A probe job (relayed from `UploadCompleted`): reads the stored video's container and records
 * `MediaProbed`, or `MediaProbeFailed` for a file the parser cannot read. It runs after the
 * upload is complete and recorded, as a job of its own: a slow or failing probe never delays or
 * fails an upload, and a crash mid-probe is redelivered like any job.
 */
export async function probeMedia(job: ProbeJob, delivery: JobDelivery, deps: ProbeDeps): Promise<void> {
  const log = deps.logger.child({ videoId: job.videoId, job: 'probe' });
  const decision = decideProbe(await deps.repository.load(job.videoId));
  if (decision.action === 'reject') {
    delivery.term(decision.reason);
    return;
  }
  if (decision.action === 'skip') {
    await delivery.ack();
    return;
  }
  let outcome: FinishProbe;
  try {
    const started = performance.now();
    const probed = await deps.prober.probe(await deps.openStored(decision.bucket, decision.objectKey));
    deps.onProbed?.(probed, performance.now() - started);
    log.info({ facts: probed.facts, bytesRead: probed.bytesRead, reads: probed.reads }, 'media probed');
    outcome = { facts: probed.facts };
  } catch (error) {
    if (!(error instanceof UnreadableContainer) && delivery.deliveryCount < deps.maxAttempts) {
      log.warn({ err: error }, 'probe failed; retrying later');
      delivery.nak(backoffDelay(delivery.deliveryCount, JOB_RETRY_BACKOFF, Math.random()));
      return;
    }
    const reason = error instanceof Error ? error.message : String(error);
    log.warn({ err: error }, 'media could not be probed');
    outcome = { unreadable: error instanceof UnreadableContainer ? reason : `the stored video could not be read: ${reason}` };
  }
  await recordOutcome(deps, job, log, outcome);
  await delivery.ack();
}

async function recordOutcome(deps: ProbeDeps, job: ProbeJob, log: Logger, outcome: FinishProbe): Promise<void> {
  const recorded = await appendDecided(deps.repository, job.videoId, job.requestEventId, (state) => decideFinishProbe(outcome, state));
  if (recorded.appended.length === 0) log.info({ status: recorded.state?.status }, 'video changed during the probe; nothing recorded');
}
