import { createHash } from 'node:crypto';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Knex } from 'knex';
import { asVideoEvent, foldVideo, videoStreamName } from '@reelay/contracts';
import type { EventStore } from '@reelay/event-store';
import type { OneSignalStandIn } from '@reelay/notifier/testing';
import { eventually } from '@reelay/testing';
import { videoStatus, type SentVideo } from './phone';
import { driftOf, readModelRows } from './readModelDrift';

/** What the end of a run looks like, video by video; every list must be empty. */
export interface OutcomeReport {
  readonly videos: number;
  readonly uploaded: number;
  readonly failed: number;
  /** Why the FAILED videos failed: reason (code) → count. */
  readonly failureReasons: Readonly<Record<string, number>>;
  /** UploadStarted events beyond the first of each video: uploads begun again after a fault. */
  readonly restartedUploads: number;
  /** Accepted videos not in a terminal state (UPLOADED or FAILED): lost, or still moving. */
  readonly notTerminal: readonly string[];
  /** UPLOADED videos whose stored object is missing or differs from what the phone sent. */
  readonly checksumMismatches: readonly string[];
  /** Streams with more than one UploadCompleted. */
  readonly duplicateCompletions: readonly string[];
  /** Terminal events with no push (yet). */
  readonly missingPushes: readonly string[];
  /** Videos that got more pushes than they have terminal events. */
  readonly duplicatePushes: readonly string[];
  /** Videos whose read-model row differs from the fold of their stream. */
  readonly drift: readonly string[];
  /** Videos whose status the query API (what the phone sees) gives otherwise than the log. */
  readonly queryApiStale: readonly string[];
}

export function isClean(report: OutcomeReport): boolean {
  return [
    report.notTerminal,
    report.checksumMismatches,
    report.duplicateCompletions,
    report.missingPushes,
    report.duplicatePushes,
    report.drift,
    report.queryApiStale,
  ].every(
    (list) => list.length === 0,
  );
}

export interface OutcomeSources {
  readonly store: EventStore;
  /** The read model's database. */
  readonly knex: Knex;
  readonly s3: S3Client;
  readonly bucket: string;
  readonly oneSignal: OneSignalStandIn;
  /** When given, each video's status is also read through the query API, as its owner. */
  readonly queryApi?: { readonly url: string; token(userId: string): Promise<string> };
}

/**
 * Checks every sent video against the log, object storage, the pushes OneSignal got and the read
 * model. The log is the truth: each stream is folded with the contracts' pure fold, and the read
 * model must say what the fold says.
 */
export async function verifyOutcome(videos: readonly SentVideo[], sources: OutcomeSources): Promise<OutcomeReport> {
  const report = {
    videos: videos.length,
    uploaded: 0,
    failed: 0,
    restartedUploads: 0,
    failureReasons: {} as Record<string, number>,
    notTerminal: [] as string[],
    checksumMismatches: [] as string[],
    duplicateCompletions: [] as string[],
    missingPushes: [] as string[],
    duplicatePushes: [] as string[],
    drift: [] as string[],
    queryApiStale: [] as string[],
  };
  const notifications = sources.oneSignal.notifications();
  const pushedKeys = new Set(notifications.map((n) => n.idempotencyKey));
  const pushesPerVideo = new Map<string, number>();
  for (const notification of notifications) {
    const videoId = (notification.body.data as { videoId?: string } | undefined)?.videoId ?? '';
    pushesPerVideo.set(videoId, (pushesPerVideo.get(videoId) ?? 0) + 1);
  }
  const rows = await readModelRows(sources.knex, videos.map((v) => v.videoId));

  for (const video of videos) {
    const events = (await sources.store.readStream(videoStreamName(video.videoId))).map(asVideoEvent);
    const state = foldVideo(events);
    if (state?.status === 'UPLOADED') report.uploaded += 1;
    else if (state?.status === 'FAILED') {
      report.failed += 1;
      const reason = `${state.failure?.code ?? '?'}: ${state.failure?.reason ?? '?'}`;
      report.failureReasons[reason] = (report.failureReasons[reason] ?? 0) + 1;
    }
    else report.notTerminal.push(video.videoId);

    report.restartedUploads += Math.max(0, events.filter((e) => e.type === 'UploadStarted').length - 1);
    if (events.filter((e) => e.type === 'UploadCompleted').length > 1) report.duplicateCompletions.push(video.videoId);
    if (state?.status === 'UPLOADED' && (await objectSha256(sources, state.objectKey ?? '')) !== video.sha256) {
      report.checksumMismatches.push(video.videoId);
    }
    const terminal = events.filter((e) => e.type === 'UploadCompleted' || e.type === 'UploadFailed');
    for (const event of terminal) if (!pushedKeys.has(event.id)) report.missingPushes.push(event.id);
    if ((pushesPerVideo.get(video.videoId) ?? 0) > terminal.length) report.duplicatePushes.push(video.videoId);
    if (state && driftOf(rows.get(video.videoId), state)) report.drift.push(video.videoId);
    if (sources.queryApi) {
      const seen = await videoStatus(sources.queryApi.url, await sources.queryApi.token(video.userId), video.videoId);
      if (seen?.status !== state?.status) report.queryApiStale.push(video.videoId);
    }
  }
  return report;
}

async function objectSha256(sources: OutcomeSources, key: string): Promise<string | undefined> {
  try {
    const object = await sources.s3.send(new GetObjectCommand({ Bucket: sources.bucket, Key: key }));
    const hash = createHash('sha256');
    for await (const chunk of object.Body as AsyncIterable<Uint8Array>) hash.update(chunk);
    return hash.digest('hex');
  } catch {
    return undefined;
  }
}

/** Verifies until the outcome is clean or `timeoutMs` has passed; then the last report, clean or not. */
export async function settledOutcome(videos: readonly SentVideo[], sources: OutcomeSources, timeoutMs: number): Promise<OutcomeReport> {
  return eventually(
    async () => {
      const report = await verifyOutcome(videos, sources);
      if (!isClean(report)) throw Object.assign(new Error('not settled'), { report });
      return report;
    },
    timeoutMs,
    1000,
  ).catch((error: { report?: OutcomeReport }) => {
    if (error.report) return error.report;
    throw error;
  });
}

/** What a soak reports of an outcome: how many of each. */
export interface OutcomeCounts {
  readonly uploaded: number;
  readonly failed: number;
  /** Why the FAILED videos failed (code: reason → count); faults alone should fail none. */
  readonly failureReasons: Readonly<Record<string, number>>;
  /** Uploads begun again (a second UploadStarted) after a fault. */
  readonly restartedUploads: number;
  /** Accepted videos not in a terminal state at the end: lost. Must be 0. */
  readonly lost: number;
  readonly duplicateCompletions: number;
  readonly duplicatePushes: number;
  readonly missingPushes: number;
  readonly checksumMismatches: number;
  readonly readModelDrift: number;
  /** Videos the query API showed otherwise than the log at the end. */
  readonly queryApiStale: number;
}

export function outcomeCounts(outcome: OutcomeReport): OutcomeCounts {
  return {
    uploaded: outcome.uploaded,
    failed: outcome.failed,
    failureReasons: outcome.failureReasons,
    restartedUploads: outcome.restartedUploads,
    lost: outcome.notTerminal.length,
    duplicateCompletions: outcome.duplicateCompletions.length,
    duplicatePushes: outcome.duplicatePushes.length,
    missingPushes: outcome.missingPushes.length,
    checksumMismatches: outcome.checksumMismatches.length,
    readModelDrift: outcome.drift.length,
    queryApiStale: outcome.queryApiStale.length,
  };
}
