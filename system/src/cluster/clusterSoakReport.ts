import type { ChildExit } from '@reelay/testing';
import type { SoakReport } from '../chaos/soak';
import { outcomeCounts, type OutcomeReport } from '../chaos/verifyOutcome';
import type { NatsFault, PostgresFailover } from './clusterFaults';
import type { AcceptedVideo } from './clusterSoak';

/** The soak's report (chaos/soak.ts), with what only a cluster has: tus phones, NATS node losses, Postgres failovers. */
export interface ClusterSoakReport extends Omit<SoakReport, 'users'> {
  /** Phones that could not get an upload accepted before their deadline (each stops uploading). Must be 0. */
  readonly phonesGaveUp: number;
  readonly tusUploads: number;
  readonly tusResumes: number;
  /** tus uploads the server forgot (HEAD 404, never recorded) that the phone began again from byte 0. */
  readonly tusRestarts: number;
  /** Bytes tus phones sent twice (the part of a PATCH an API died under), over their videos' bytes. */
  readonly tusResentShare: number;
  /** Per NATS node lost: time from the loss until the job of an upload sent right after it started on an uploader (the node still gone). */
  readonly natsRecovery: readonly (Pick<NatsFault, 'kind' | 'node' | 'ledJobsStream' | 'goneMs'> & { readonly jobsFlowingAfterMs: number | null })[];
  /** Per Postgres failover: stop → promoted, promoted → HAProxy routes there, promoted → an upload sent then accepted. */
  readonly postgresFailovers: readonly { readonly mode: string; readonly stopToPromotedMs: number; readonly promotedToRoutedMs: number; readonly promotedToWriteAcceptedMs: number }[];
}

export interface SoakFacts {
  readonly sent: readonly AcceptedVideo[];
  readonly phonesGaveUp: number;
  readonly startedAt: number;
  readonly faults: Readonly<Record<string, number>>;
  readonly unexpectedExits: Readonly<Record<string, number>>;
  readonly outcome: OutcomeReport;
  readonly verified: { readonly rowsCompared: number; readonly differences: readonly unknown[] };
  readonly videoBytes: number;
  readonly bytesToStorage: number;
  /** Each video's first UploadStarted (epoch ms). */
  readonly jobStarts: ReadonlyMap<string, number>;
  readonly natsFaults: readonly NatsFault[];
  readonly failovers: readonly PostgresFailover[];
  readonly exits: Readonly<Record<string, ChildExit>>;
}

/** The earliest of `times` at or after `from`, as a delay from it; null when none. */
export function firstAfter(from: number, times: Iterable<number>): number | null {
  let best: number | null = null;
  for (const time of times) if (time >= from && (best === null || time < best)) best = time;
  return best === null ? null : best - from;
}

/** The report's figures from what the soak saw (pure: unit-tested). */
export function summarise(facts: SoakFacts): ClusterSoakReport {
  const { sent, outcome } = facts;
  const tus = sent.filter((video) => video.tus);
  const tusBytes = tus.reduce((sum, video) => sum + video.sizeBytes, 0);
  const tusSent = tus.reduce((sum, video) => sum + (video.tus?.bytesSent ?? 0), 0);
  return {
    uploads: sent.length,
    phonesGaveUp: facts.phonesGaveUp,
    tusUploads: tus.length,
    durationMs: Date.now() - facts.startedAt,
    faults: facts.faults,
    faultsTotal: Object.values(facts.faults).reduce((a, b) => a + b, 0),
    unexpectedExits: facts.unexpectedExits,
    postRetries: sent.filter((video) => !video.tus).reduce((sum, video) => sum + video.attempts - 1, 0),
    tusResumes: tus.reduce((sum, video) => sum + (video.tus?.resumes ?? 0), 0),
    tusRestarts: tus.reduce((sum, video) => sum + (video.tus?.restarts ?? 0), 0),
    ...outcomeCounts(outcome),
    verifyReadModel: { rowsCompared: facts.verified.rowsCompared, differences: facts.verified.differences.length },
    videoBytes: facts.videoBytes,
    bytesToStorage: facts.bytesToStorage,
    resentShare: facts.videoBytes === 0 ? 0 : Math.max(0, facts.bytesToStorage - facts.videoBytes) / facts.videoBytes,
    tusResentShare: tusBytes === 0 ? 0 : (tusSent - tusBytes) / tusBytes,
    natsRecovery: facts.natsFaults.map((fault) => ({
      kind: fault.kind,
      node: fault.node,
      ledJobsStream: fault.ledJobsStream,
      goneMs: fault.goneMs,
      jobsFlowingAfterMs: firstAfter(fault.at, [facts.jobStarts.get(fault.probeVideoId) ?? -1]),
    })),
    postgresFailovers: facts.failovers.map((failover) => ({
      mode: failover.mode,
      stopToPromotedMs: failover.promotedAt - failover.stoppedAt,
      promotedToRoutedMs: failover.routedAt - failover.promotedAt,
      promotedToWriteAcceptedMs: failover.writeAcceptedAt - failover.promotedAt,
    })),
    shutdown: Object.fromEntries(Object.entries(facts.exits).map(([name, exit]) => [name, { code: exit.code, ms: exit.afterSignalMs }])),
    outcome,
  };
}
