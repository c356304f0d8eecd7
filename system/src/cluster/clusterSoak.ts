import { PersonalDataVault, loadConfig } from '@reelay/platform';
import { verifyVideoInfo } from '@reelay/projector';
import { eventually, startUrlProxy, testS3Env } from '@reelay/testing';
import { startOneSignalStandIn } from '@reelay/notifier/testing';
import { asVideoEvent, videoStreamName } from '@reelay/contracts';
import { openOutcomeSources } from '../chaos/outcomeSources';
import { randomVideo, sendVideo, videoStatus, type SentVideo } from '../chaos/phone';
import { settledOutcome, type OutcomeReport } from '../chaos/verifyOutcome';
import { CLUSTER_FAULTS, createFaultInjector, type ClusterFault, type Probe } from './clusterFaults';
import { startLocalCluster, type LocalCluster } from './localCluster';
import { sendVideoByTus } from './tusPhone';
import { summarise, type ClusterSoakReport } from './clusterSoakReport';
import { logStuckHead } from './stuckHeadLog';

export interface ClusterSoakOptions {
  /** The cluster's state goes here (removed by the caller). */
  readonly directory: string;
  readonly uploads: number;
  readonly users: number;
  readonly concurrency: number;
  readonly minBytes: number;
  readonly maxBytes: number;
  /** Share of uploads sent over tus (chunked PATCHes) rather than one POST. */
  readonly tusShare: number;
  readonly tusChunkBytes: number;
  /** Mean pause between faults, each drawn from [0.5, 1.5] × this. */
  readonly faultEveryMs: number;
  /** Uploads are spread over this long, so that faults meet them. */
  readonly durationMs: number;
  /** Faults to inject at least, even after the last upload (default: one of each kind). */
  readonly minFaults?: number;
  /** The S3 server (a counting proxy is put in front of it). */
  readonly s3Endpoint: string;
  readonly settleTimeoutMs: number;
  readonly log?: (line: string) => void;
}

/** A sent video and when its upload was accepted (the 202, or tus's last PATCH). */
export interface AcceptedVideo extends SentVideo {
  readonly acceptedAt: number;
  readonly tus?: { readonly bytesSent: number; readonly resumes: number; readonly restarts: number };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const between = (min: number, max: number) => min + Math.random() * (max - min);

/**
 * The soak on the cluster: phones upload through the balancer (a share over tus) while a chaos
 * loop injects the cluster's faults; then the same accounting as the one-box soak, and the
 * failover times.
 */
export async function runClusterSoak(options: ClusterSoakOptions): Promise<ClusterSoakReport> {
  const log = options.log ?? (() => undefined);
  const startedAt = Date.now();
  const proxy = await startUrlProxy(options.s3Endpoint);
  const oneSignal = await startOneSignalStandIn();
  let cluster: LocalCluster | undefined;
  try {
    cluster = await startLocalCluster({
      directory: options.directory,
      s3Endpoint: proxy.url,
      env: {
        // The test S3's keys and region (s3rver's, the Ceph gateway's), through the counting proxy.
        ...testS3Env(proxy.url),
        ONESIGNAL_APP_ID: 'cluster-app',
        ONESIGNAL_API_KEY: 'cluster-key',
        ONESIGNAL_API_URL: oneSignal.url,
        UPLOAD_PART_SIZE_BYTES: String(5 * 1024 ** 2),
        RATE_LIMIT_MAX: '1000000',
        MAX_CONCURRENT_UPLOADS_PER_USER: '50',
        PROGRESS_INTERVAL_MS: '200',
      },
      log,
    });
    const running = cluster;
    log(`cluster started in ${Date.now() - startedAt} ms`);
    const bytesBefore = proxy.bytesUp();
    let tusInFlight = 0;
    const sent: AcceptedVideo[] = [];
    let videoBytes = 0;
    // A small upload sent right after a NATS node is lost or Postgres promoted: it times the recovery.
    const probe: Probe = {
      async upload() {
        const token = await running.token('cluster-probe');
        const bytes = randomVideo(64 * 1024);
        videoBytes += bytes.length;
        const video = { ...(await sendVideo(running.commandApi, token, 'cluster-probe', bytes, 240_000)), acceptedAt: Date.now() };
        sent.push(video);
        // Up to two minutes, then the probe's time is what it is.
        const untilStarted = () =>
          eventually(async () => {
            const status = (await videoStatus(running.queryApi, token, video.videoId))?.status;
            if (status === undefined || status === 'PENDING') throw new Error(`still ${status ?? 'unknown'}`);
          }, 120_000, 100).catch(() => undefined);
        return { videoId: video.videoId, acceptedAt: video.acceptedAt, untilStarted };
      },
    };
    const injector = createFaultInjector(running, { tusInFlight: () => tusInFlight, probe, log });
    const faults: Record<string, number> = {};
    const unexpectedExits: Record<string, number> = {};
    const restartTheDead = async () => {
      for (const instance of running.instances) {
        if (instance.child.isRunning() || injector.isRestarting(instance.name)) continue;
        unexpectedExits[instance.service] = (unexpectedExits[instance.service] ?? 0) + 1;
        log(`${instance.name} had died by itself; starting it again:\n${instance.child.output().slice(-2000)}`);
        await running.startInstance(instance);
      }
    };

    let uploading = true;
    const total = () => Object.values(faults).reduce((a, b) => a + b, 0);
    const chaos = (async () => {
      let deck: ClusterFault[] = [];
      const minFaults = options.minFaults ?? CLUSTER_FAULTS.length;
      const more = () => uploading || total() < minFaults;
      while (more()) {
        await sleep(between(options.faultEveryMs * 0.5, options.faultEveryMs * 1.5));
        if (!more()) break;
        // Every kind once per round, in a random order; one that cannot run now goes back in.
        if (deck.length === 0) deck = [...CLUSTER_FAULTS].sort(() => Math.random() - 0.5);
        const kind = deck.pop() as ClusterFault;
        if (await injector.inject(kind)) faults[kind] = (faults[kind] ?? 0) + 1;
        else deck.unshift(kind);
        await restartTheDead();
      }
    })().catch((error: unknown) => {
      uploading = false;
      throw error;
    });
    chaos.catch(() => undefined);

    let next = 0;
    const startedSending = Date.now();
    const phone = async () => {
      while (next < options.uploads) {
        const index = next;
        next += 1;
        await sleep(Math.max(0, startedSending + (index / options.uploads) * options.durationMs - Date.now()));
        const userId = `cluster-user-${index % options.users}`;
        const token = await running.token(userId);
        const bytes = randomVideo(Math.round(between(options.minBytes, options.maxBytes)));
        videoBytes += bytes.length;
        if (Math.random() < options.tusShare) {
          const video = await sendVideoByTus(running.commandApi, token, userId, bytes, {
            chunkBytes: options.tusChunkBytes,
            timeoutMs: 240_000,
            onPatch: (change) => (tusInFlight += change),
            queryApi: running.queryApi,
            log,
            onStuck: (uploadUrl, headers, outcomes) => void logStuckHead(running, uploadUrl, headers, outcomes, log),
          });
          sent.push({ ...video, acceptedAt: Date.now(), tus: { bytesSent: video.bytesSent, resumes: video.resumes, restarts: video.restarts } });
        } else {
          sent.push({ ...(await sendVideo(running.commandApi, token, userId, bytes, 240_000)), acceptedAt: Date.now() });
        }
      }
    };
    const phones = await Promise.allSettled(Array.from({ length: options.concurrency }, () => phone()));
    uploading = false;
    await chaos;
    await injector.settle();
    await restartTheDead();
    // A phone that gave up is a failure, but the accounting of everything else is still worth having.
    const gaveUp = phones.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    for (const refused of gaveUp) log(`a phone gave up: ${String(refused.reason)}`);
    log(`${sent.length} uploads accepted; waiting for every video to settle`);

    const opened = await openOutcomeSources({ databaseUrl: running.databaseUrl, s3Endpoint: options.s3Endpoint, bucket: running.bucket, oneSignal });
    const sources = { ...opened, queryApi: { url: running.queryApi, token: (userId: string) => running.token(userId) } };
    let outcome: OutcomeReport;
    let verified: Awaited<ReturnType<typeof verifyVideoInfo>>;
    const jobStarts = new Map<string, number>();
    try {
      outcome = await settledOutcome(sent, sources, options.settleTimeoutMs);
      for (const videoId of outcome.notTerminal.slice(0, 8)) {
        const events = await opened.store.readStream(videoStreamName(videoId));
        log(`not terminal: ${videoId}: ${events.map((event) => `${event.type}@${event.recordedAt.slice(11, 23)}`).join(' ')}`);
      }
      const personalData = PersonalDataVault.fromConfig(opened.knex, loadConfig(running.env));
      verified = await verifyVideoInfo({ knex: opened.knex, store: opened.store, personalData });
      for (const video of sent) {
        const started = (await opened.store.readStream(videoStreamName(video.videoId))).map(asVideoEvent).find((event) => event.type === 'UploadStarted');
        if (started) jobStarts.set(video.videoId, Date.parse(started.recordedAt));
      }
    } finally {
      await opened.close();
    }
    const bytesToStorage = proxy.bytesUp() - bytesBefore;
    const exits = await running.stop();
    cluster = undefined;
    return summarise({
      sent,
      phonesGaveUp: gaveUp.length,
      startedAt,
      faults,
      unexpectedExits,
      outcome,
      verified,
      videoBytes,
      bytesToStorage,
      jobStarts,
      natsFaults: injector.natsFaults,
      failovers: injector.failovers,
      exits,
    });
  } finally {
    await cluster?.stop().catch(() => undefined);
    await oneSignal.close();
    await proxy.close();
  }
}
