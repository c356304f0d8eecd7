import autocannon from 'autocannon';
import { startBenchSystem } from '../harness/benchSystem';
import { startBareServer } from '../harness/bareServers';
import { MiB, makeVideoFile } from '../harness/videoFile';
import { postVideo, waitUntilUploaded } from '../harness/videoClient';
import { stats, type BenchRow, type Scenario } from '../scenario';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = 64;
const DURATION_S = Number(process.env.BENCH_LOAD_SECONDS ?? 5);

async function load(url: string, headers: Record<string, string> = {}): Promise<{ rps: number; p99: number; errors: number }> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S, headers });
  return { rps: result.requests.average, p99: result.latency.p99, errors: result.errors + result.non2xx };
}

/** `GET /v1/videos/:id` at 64 connections against a bare fastify route doing the same read. */
export const statusReads: Scenario = {
  name: 'status-reads',
  async run(): Promise<BenchRow[]> {
    const bench = await startBenchSystem();
    const bare = await startBareServer('statusRead', { DATABASE_URL: bench.databaseUrl });
    const video = await makeVideoFile(MiB);
    try {
      const token = await bench.tokenFor('bench-reader');
      const { videoId } = await postVideo(bench.system.commandApi, token, video.file);
      await waitUntilUploaded(bench.system.queryApi, token, videoId);
      const reelay: { rps: number; p99: number; errors: number }[] = [];
      const baseline: { rps: number; p99: number; errors: number }[] = [];
      for (let i = 0; i < ROUNDS; i += 1) {
        reelay.push(await load(`${bench.system.queryApi}/v1/videos/${videoId}`, { authorization: `Bearer ${token}` }));
        baseline.push(await load(`${bare.url}/v/${videoId}`));
      }
      if (reelay.some((r) => r.errors > 0)) throw new Error(`status reads failed: ${JSON.stringify(reelay)}`);
      const rps = { reelay: stats(reelay.map((r) => r.rps)), baseline: stats(baseline.map((r) => r.rps)) };
      const p99 = { reelay: stats(reelay.map((r) => r.p99)), baseline: stats(baseline.map((r) => r.p99)) };
      const scenario = `status reads, ${CONNECTIONS} connections`;
      return [
        { scenario, metric: 'requests/s vs bare fastify + pg', unit: 'req/s', ...rps, ratio: rps.reelay.median / rps.baseline.median, goal: '≥ 0.7×' },
        { scenario, metric: 'p99 latency', unit: 'ms', ...p99, goal: '≤ 20 ms' },
      ];
    } finally {
      await video.remove();
      await bare.stop();
      await bench.stop();
    }
  },
};
