import { PersonalDataVault, loadConfig } from '@reelay/platform';
import { verifyVideoInfo } from '@reelay/projector';
import { eventually, startPrivateNats, startPrivatePostgres, startUrlProxy, type ChildExit } from '@reelay/testing';
import { SERVICE_NAMES, startChaosSystem, type ChaosSystem, type ServiceName } from './chaosSystem';
import { openOutcomeSources } from './outcomeSources';
import { randomVideo, sendVideo, videoStatus, type SentVideo } from './phone';
import { outcomeCounts, settledOutcome, type OutcomeCounts, type OutcomeReport } from './verifyOutcome';

export interface SoakOptions {
  /** Videos to upload in all. */
  readonly uploads: number;
  /** Distinct users they come from. */
  readonly users: number;
  /** Phones uploading at the same time. */
  readonly concurrency: number;
  readonly minBytes: number;
  readonly maxBytes: number;
  /** Mean pause between two faults; each pause is drawn from [0.5, 1.5] × this. */
  readonly faultEveryMs: number;
  /** Uploads are spread over this long (the phones pace themselves), so that faults meet them. */
  readonly durationMs: number;
  /** Faults to inject at least, even when the uploads are all accepted before (default: one of each kind). */
  readonly minFaults?: number;
  /** The S3 server the system writes to (a counting proxy is put in front of it). */
  readonly s3Endpoint: string;
  /** How long to wait, once the last upload is accepted, for every video to settle. */
  readonly settleTimeoutMs: number;
  /** Progress lines (the CLI prints them; the test keeps quiet). */
  readonly log?: (line: string) => void;
}

export type FaultKind = `kill ${ServiceName}` | 'restart postgres' | 'restart nats';
const FAULT_KINDS: readonly FaultKind[] = [...SERVICE_NAMES.map((name) => `kill ${name}` as const), 'restart postgres', 'restart nats'];

export interface SoakReport extends OutcomeCounts {
  readonly uploads: number;
  readonly users: number;
  readonly durationMs: number;
  readonly faults: Readonly<Record<string, number>>;
  readonly faultsTotal: number;
  /** Services that died without being killed (each restarted, as a supervisor would). */
  readonly unexpectedExits: Readonly<Record<string, number>>;
  /** POSTs a phone had to repeat (with its Idempotency-Key) because of a fault. */
  readonly postRetries: number;
  /** `reelay verify read-model` (the projector's `verifyVideoInfo`): rows compared with a replay, and differences. */
  readonly verifyReadModel: { readonly rowsCompared: number; readonly differences: number };
  /** Bytes of the videos, and bytes that went to object storage (requests included). */
  readonly videoBytes: number;
  readonly bytesToStorage: number;
  /** (bytes to storage − video bytes) ÷ video bytes: what uploader kills made it send again. */
  readonly resentShare: number;
  /** Each service's exit code and drain time after SIGTERM at the end. */
  readonly shutdown: Readonly<Record<string, { code: number | null; ms: number }>>;
  readonly outcome: OutcomeReport;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const between = (min: number, max: number) => min + Math.random() * (max - min);

/**
 * Many small uploads from many users while a chaos loop kills random services (SIGKILL) and
 * restarts Postgres and NATS; then checks that nothing was lost, duplicated or drifted.
 */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const log = options.log ?? (() => undefined);
  const startedAt = Date.now();
  const [postgres, nats] = await Promise.all([startPrivatePostgres(), startPrivateNats()]);
  const proxy = await startUrlProxy(options.s3Endpoint);
  let system: ChaosSystem | undefined;
  try {
    system = await startChaosSystem({
      databaseUrl: postgres.url('reelay'),
      natsUrl: nats.url,
      s3Endpoint: proxy.url,
      env: { UPLOAD_PART_SIZE_BYTES: String(5 * 1024 ** 2) },
    });
    const running = system;
    log(`system started in ${Date.now() - startedAt} ms`);
    const bytesBefore = proxy.bytesUp();

    const faults: Record<string, number> = {};
    const unexpectedExits: Record<string, number> = {};
    let uploading = true;
    const restartTheDead = async () => {
      for (const [name, child] of running.services) {
        if (child.isRunning()) continue;
        unexpectedExits[name] = (unexpectedExits[name] ?? 0) + 1;
        log(`${name} had died by itself; starting it again:\n${child.output().slice(-2000)}`);
        await running.start(name);
      }
    };
    const inject = async (kind: FaultKind) => {
      if (kind === 'restart postgres') {
        await postgres.stop(Math.random() < 0.5 ? 'fast' : 'immediate');
        await sleep(between(300, 1500));
        await postgres.start();
      } else if (kind === 'restart nats') {
        await nats.stop(Math.random() < 0.5 ? 'SIGTERM' : 'SIGKILL');
        await sleep(between(300, 1500));
        await nats.start();
      } else {
        const name = kind.slice('kill '.length) as ServiceName;
        await running.service(name).kill();
        await sleep(between(0, 500));
        await running.start(name);
      }
      faults[kind] = (faults[kind] ?? 0) + 1;
    };
    const chaos = (async () => {
      let deck: FaultKind[] = [];
      const minFaults = options.minFaults ?? FAULT_KINDS.length;
      const more = () => uploading || Object.values(faults).reduce((a, b) => a + b, 0) < minFaults;
      while (more()) {
        await sleep(between(options.faultEveryMs * 0.5, options.faultEveryMs * 1.5));
        if (!more()) break;
        // Every kind once per round, in a random order: a short run still meets each fault.
        if (deck.length === 0) deck = [...FAULT_KINDS].sort(() => Math.random() - 0.5);
        const kind = deck.pop() as FaultKind;
        log(`fault: ${kind}`);
        await inject(kind);
        await restartTheDead();
      }
    })().catch((error: unknown) => {
      uploading = false;
      throw error;
    });
    // Awaited after the phones; until then a failure must not count as unhandled.
    chaos.catch(() => undefined);

    const sent: SentVideo[] = [];
    let next = 0;
    let videoBytes = 0;
    const phone = async () => {
      while (next < options.uploads) {
        const index = next;
        next += 1;
        // Paced: upload i starts about i/uploads of the way through the run.
        await sleep(Math.max(0, startedSending + (index / options.uploads) * options.durationMs - Date.now()));
        const userId = `soak-user-${index % options.users}`;
        const token = await running.token(userId);
        const bytes = randomVideo(Math.round(between(options.minBytes, options.maxBytes)));
        videoBytes += bytes.length;
        const video = await sendVideo(running.commandApi, token, userId, bytes, 180_000);
        sent.push(video);
        // As the app does: poll until the status is final (briefly; the verdict below is the log's).
        await eventually(async () => {
          const status = await videoStatus(running.queryApi, token, video.videoId);
          if (!status || !['UPLOADED', 'FAILED'].includes(status.status)) throw new Error('not final yet');
        }, 5_000, 250).catch(() => undefined);
      }
    };
    const startedSending = Date.now();
    const phones = await Promise.allSettled(Array.from({ length: options.concurrency }, () => phone()));
    uploading = false;
    await chaos;
    await restartTheDead();
    const refused = phones.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (refused) throw new Error(`a phone gave up: ${String(refused.reason)}`);
    log(`${sent.length} uploads accepted; waiting for every video to settle`);
    await running.untilReady(SERVICE_NAMES, 120_000);

    const opened = await openOutcomeSources({ databaseUrl: running.databaseUrl, s3Endpoint: options.s3Endpoint, bucket: running.bucket, oneSignal: running.oneSignal });
    const sources = { ...opened, queryApi: { url: running.queryApi, token: (userId: string) => running.token(userId) } };
    let outcome: OutcomeReport;
    let verified: Awaited<ReturnType<typeof verifyVideoInfo>>;
    try {
      outcome = await settledOutcome(sent, sources, options.settleTimeoutMs);
      // The services seal titles with the KEK the environment gives them (the development key when none).
      const personalData = PersonalDataVault.fromConfig(opened.knex, loadConfig(process.env));
      verified = await verifyVideoInfo({ knex: opened.knex, store: opened.store, personalData });
    } finally {
      await opened.close();
    }
    const bytesToStorage = proxy.bytesUp() - bytesBefore;
    const exits = await running.stop();
    system = undefined;
    return {
      uploads: sent.length,
      users: options.users,
      durationMs: Date.now() - startedAt,
      faults,
      faultsTotal: Object.values(faults).reduce((a, b) => a + b, 0),
      unexpectedExits,
      postRetries: sent.reduce((sum, video) => sum + video.attempts - 1, 0),
      ...outcomeCounts(outcome),
      verifyReadModel: { rowsCompared: verified.rowsCompared, differences: verified.differences.length },
      videoBytes,
      bytesToStorage,
      resentShare: videoBytes === 0 ? 0 : Math.max(0, bytesToStorage - videoBytes) / videoBytes,
      shutdown: Object.fromEntries(Object.entries(exits).map(([name, exit]: [string, ChildExit]) => [name, { code: exit.code, ms: exit.afterSignalMs }])),
      outcome,
    };
  } finally {
    await system?.stop().catch(() => undefined);
    await proxy.close();
    await Promise.all([postgres.dispose(), nats.dispose()]);
  }
}
