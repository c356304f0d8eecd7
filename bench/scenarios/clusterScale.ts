import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startLocalCluster, type ClusterCounts } from '@reelay/system/cluster';
import { MiB, makeVideoFile } from '../harness/videoFile';
import { postVideo, waitUntilUploaded } from '../harness/videoClient';
import { stats, type BenchRow, type Scenario } from '../scenario';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const USERS = Number(process.env.BENCH_PARALLEL_USERS ?? 50);
const SIZE_MIB = Number(process.env.BENCH_CLUSTER_SIZE_MIB ?? 4);

const ONE_EACH: Partial<ClusterCounts> = { 'command-api': 1, 'query-api': 1, uploader: 1, projector: 1, notifier: 1 };
const SCALED: Partial<ClusterCounts> = { 'command-api': 2, 'query-api': 1, uploader: 3, projector: 1, notifier: 1 };

/** 50 uploads at once through HAProxy into a cluster with these copies: aggregate MiB/s per round. */
async function throughput(counts: Partial<ClusterCounts>, file: string): Promise<number[]> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'reelay-bench-cluster-'));
  const cluster = await startLocalCluster({ directory, counts, env: { LOG_LEVEL: 'warn', RATE_LIMIT_MAX: '1000000' } });
  try {
    const tokens = await Promise.all(Array.from({ length: USERS }, (_, i) => cluster.token(`bench-user-${i}`)));
    const rounds: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const started = performance.now();
      await Promise.all(
        tokens.map(async (token) => {
          const posted = await postVideo(cluster.commandApi, token, file);
          await waitUntilUploaded(cluster.queryApi, token, posted.videoId);
        }),
      );
      rounds.push((USERS * SIZE_MIB) / ((performance.now() - started) / 1000));
    }
    return rounds;
  } finally {
    await cluster.stop();
    await rm(directory, { recursive: true, force: true });
  }
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
    try {
      const one = stats(await throughput(ONE_EACH, video.file));
      const scaled = stats(await throughput(SCALED, video.file));
      return [
        {
          scenario: `${USERS} uploads of ${SIZE_MIB} MiB at once, 2 command APIs + 3 uploaders vs 1 + 1 (cluster, one machine)`,
          metric: 'aggregate POST→UPLOADED throughput',
          unit: 'MiB/s',
          reelay: scaled,
          baseline: one,
          ratio: scaled.median / one.median,
        },
      ];
    } finally {
      await video.remove();
    }
  },
};
