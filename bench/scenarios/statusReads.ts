import autocannon from 'autocannon';
import { startBenchSystem, type BenchSystem } from '../harness/benchSystem';
import { startBareServer } from '../harness/bareServers';
import { MiB, makeVideoFile } from '../harness/videoFile';
import { postVideo, waitUntilUploaded } from '../harness/videoClient';
import { stats, type BenchRow, type Scenario } from '../scenario';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = 64;
const DURATION_S = Number(process.env.BENCH_LOAD_SECONDS ?? 5);
/** Phones poll their own videos: the load spreads over this many, read round-robin. */
const VIDEOS = 50;

interface LoadResult {
  readonly rps: number;
  readonly p99: number;
  readonly errors: number;
}

/** 64 connections reading `paths` round-robin for DURATION_S. */
async function load(origin: string, paths: readonly string[], headers: Record<string, string> = {}): Promise<LoadResult> {
  let next = 0;
  const result = await autocannon({
    url: origin,
    connections: CONNECTIONS,
    duration: DURATION_S,
    headers,
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => {
          const path = paths[next % paths.length] as string;
          next += 1;
          return { ...request, path };
        },
      },
    ],
  });
  return { rps: result.requests.average, p99: result.latency.p99, errors: result.errors + result.non2xx };
}

async function uploadVideos(bench: BenchSystem, token: string): Promise<string[]> {
  const video = await makeVideoFile(MiB / 4);
  try {
    const videoIds: string[] = [];
    for (let i = 0; i < VIDEOS; i += 1) videoIds.push((await postVideo(bench.system.commandApi, token, video.file)).videoId);
    await Promise.all(videoIds.map((videoId) => waitUntilUploaded(bench.system.queryApi, token, videoId)));
    return videoIds;
  } finally {
    await video.remove();
  }
}

/**
 * `GET /v1/videos/:id` at 64 connections over 50 videos, against a bare fastify route doing the
 * same primary-key read with pg. Reelay is measured twice: as it runs (with its row cache) and
 * with the cache off, a system of its own, so the table shows what the cache buys.
 */
export const statusReads: Scenario = {
  name: 'status-reads',
  async run(): Promise<BenchRow[]> {
    const bench = await startBenchSystem();
    const uncached = await startBenchSystem({ QUERY_CACHE_MAX_ENTRIES: '0' });
    const bare = await startBareServer('statusRead', { DATABASE_URL: bench.databaseUrl });
    try {
      const token = await bench.tokenFor('bench-reader');
      const videoIds = await uploadVideos(bench, token);
      const uncachedIds = await uploadVideos(uncached, token);
      const reelay: LoadResult[] = [];
      const withoutCache: LoadResult[] = [];
      const baseline: LoadResult[] = [];
      for (let i = 0; i < ROUNDS; i += 1) {
        reelay.push(await load(bench.system.queryApi, videoIds.map((id) => `/v1/videos/${id}`), { authorization: `Bearer ${token}` }));
        withoutCache.push(await load(uncached.system.queryApi, uncachedIds.map((id) => `/v1/videos/${id}`), { authorization: `Bearer ${token}` }));
        baseline.push(await load(bare.url, videoIds.map((id) => `/v/${id}`)));
      }
      for (const [name, results] of [['cached', reelay], ['uncached', withoutCache], ['bare', baseline]] as const) {
        if (results.some((r) => r.errors > 0)) throw new Error(`${name} status reads failed: ${JSON.stringify(results)}`);
      }
      const median = (results: LoadResult[], key: 'rps' | 'p99') => stats(results.map((r) => r[key]));
      const rps = { reelay: median(reelay, 'rps'), uncached: median(withoutCache, 'rps'), baseline: median(baseline, 'rps') };
      const scenario = `status reads, ${CONNECTIONS} connections, ${VIDEOS} videos`;
      return [
        { scenario, metric: 'requests/s vs bare fastify + pg', unit: 'req/s', reelay: rps.reelay, baseline: rps.baseline, ratio: rps.reelay.median / rps.baseline.median, goal: '≥ 0.7×' },
        { scenario, metric: 'p99 latency', unit: 'ms', reelay: median(reelay, 'p99'), baseline: median(baseline, 'p99'), goal: '≤ 20 ms' },
        { scenario, metric: 'requests/s with the row cache off vs bare fastify + pg', unit: 'req/s', reelay: rps.uncached, baseline: rps.baseline, ratio: rps.uncached.median / rps.baseline.median, goal: 'report' },
        { scenario, metric: 'p99 latency with the row cache off', unit: 'ms', reelay: median(withoutCache, 'p99'), baseline: median(baseline, 'p99'), goal: 'report' },
      ];
    } finally {
      await bare.stop();
      await uncached.stop();
      await bench.stop();
    }
  },
};
