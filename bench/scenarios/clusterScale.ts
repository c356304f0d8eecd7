import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { sendVideo, startLocalCluster, type LocalCluster } from '@reelay/system/cluster';
import { MiB, makeVideoFile } from '../harness/videoFile';
import { stats, type BenchRow, type Scenario } from '../scenario';

const ROUNDS = Number(process.env.BENCH_CLUSTER_ROUNDS ?? 2);
const USERS = Number(process.env.BENCH_PARALLEL_USERS ?? 50);
const SIZE_MIB = Number(process.env.BENCH_CLUSTER_SIZE_MIB ?? 4);

let retries = 0;

/** Polls the video through the balancer until UPLOADED; a 5xx from the balancer is polled again. */
async function untilUploaded(queryApi: string, token: string, videoId: string): Promise<void> {
  for (;;) {
    const response = await fetch(`${queryApi}/v1/videos/${videoId}`, { headers: { authorization: `Bearer ${token}` } }).catch(() => undefined);
    const body = response?.status === 200 ? ((await response.json()) as { status: string; failureReason: string | null }) : undefined;
    if (response && response.status !== 200) await response.arrayBuffer();
    if (body?.status === 'UPLOADED') return;
    if (body?.status === 'FAILED') throw new Error(`upload failed: ${body.failureReason}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * 50 uploads at once through HAProxy: aggregate MiB/s. Each POST is retried with its
 * Idempotency-Key after a dropped connection or a 5xx, as a phone does (a first run without
 * retries lost one POST to a connection closed under load); the retries are reported.
 */
async function oneRound(cluster: LocalCluster, tokens: readonly string[], bytes: Buffer): Promise<number> {
  const started = performance.now();
  await Promise.all(
    tokens.map(async (token, index) => {
      const posted = await sendVideo(cluster.commandApi, token, `bench-user-${index}`, bytes, 300_000);
      retries += posted.attempts - 1;
      await untilUploaded(cluster.queryApi, token, posted.videoId);
    }),
  );
  return (tokens.length * SIZE_MIB) / ((performance.now() - started) / 1000);
}

/** Stops (or starts again) the second command API and the second and third uploaders, and lets HAProxy's checks see it. */
async function scale(cluster: LocalCluster, out: boolean): Promise<void> {
  const extras = cluster.instances.filter((instance) => ['command-api-2', 'uploader-2', 'uploader-3'].includes(instance.name));
  if (out) await Promise.all(extras.map((instance) => cluster.startInstance(instance)));
  else await Promise.all(extras.map((instance) => instance.child.stop()));
  // Two checks a second apart mark a server up or down; wait a few more.
  await new Promise((resolve) => setTimeout(resolve, 5000));
}

/**
 * Scaling out on one machine: the same 50 uploads at once through 2 command APIs and 3 uploaders,
 * against 1 + 1, both behind HAProxy on the same three NATS servers and Postgres pair. On two
 * cores this measures what more copies buy when the CPU is already shared (see docs/operations.md).
 */
export const clusterScale: Scenario = {
  name: 'cluster-scale',
  async run(): Promise<BenchRow[]> {
    const video = await makeVideoFile(SIZE_MIB * MiB);
    const directory = await mkdtemp(path.join(os.tmpdir(), 'reelay-bench-cluster-'));
    // One cluster for both shapes (starting eleven services takes minutes on two cores): the
    // extra copies are stopped for the 1 + 1 rounds and started again for the 2 + 3 rounds.
    const cluster = await startLocalCluster({ directory, counts: { 'command-api': 2, 'query-api': 1, uploader: 3, projector: 1, notifier: 1 }, env: { LOG_LEVEL: 'warn', RATE_LIMIT_MAX: '1000000' } });
    try {
      const bytes = await readFile(video.file);
      const tokens = await Promise.all(Array.from({ length: USERS }, (_, i) => cluster.token(`bench-user-${i}`)));
      const small: number[] = [];
      const scaled: number[] = [];
      for (let round = 0; round < ROUNDS; round += 1) {
        await scale(cluster, false);
        small.push(await oneRound(cluster, tokens, bytes));
        await scale(cluster, true);
        scaled.push(await oneRound(cluster, tokens, bytes));
      }
      const one = stats(small);
      const many = stats(scaled);
      return [
        {
          scenario: `${USERS} uploads of ${SIZE_MIB} MiB at once, 2 command APIs + 3 uploaders vs 1 + 1 (cluster, one machine; ${retries} POSTs retried)`,
          metric: 'aggregate POST→UPLOADED throughput',
          unit: 'MiB/s',
          reelay: many,
          baseline: one,
          ratio: many.median / one.median,
        },
      ];
    } finally {
      await cluster.stop();
      await rm(directory, { recursive: true, force: true });
      await video.remove();
    }
  },
};
