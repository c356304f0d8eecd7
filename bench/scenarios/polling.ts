import { startBenchSystem } from '../harness/benchSystem';
import { MiB, makeVideoFile } from '../harness/videoFile';
import { postVideo } from '../harness/videoClient';
import { stats, type BenchRow, type Scenario } from '../scenario';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SIZE_MIB = 100;

type Poller = (url: string, token: string) => Promise<{ requests: number; notModified: number }>;

/** Polls every second as a naive app would, until the video is stored. */
const plainPolling: Poller = async (url, token) => {
  let requests = 0;
  for (;;) {
    requests += 1;
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    if (response.status === 200 && ((await response.json()) as { status: string }).status === 'UPLOADED') return { requests, notModified: 0 };
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
};

/** Polls every second with If-None-Match: unchanged answers are a bodiless 304. */
const conditionalPolling: Poller = async (url, token) => {
  let requests = 0;
  let notModified = 0;
  let etag: string | undefined;
  for (;;) {
    requests += 1;
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}`, ...(etag ? { 'if-none-match': etag } : {}) } });
    if (response.status === 304) notModified += 1;
    else if (response.status === 200) {
      etag = response.headers.get('etag') ?? undefined;
      if (((await response.json()) as { status: string }).status === 'UPLOADED') return { requests, notModified };
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
};

/** Long-polls with `waitSeconds=30`: the server answers only when something changed. */
const longPolling: Poller = async (url, token) => {
  let requests = 0;
  let notModified = 0;
  let etag: string | undefined;
  for (;;) {
    requests += 1;
    const response = await fetch(`${url}?waitSeconds=30`, { headers: { authorization: `Bearer ${token}`, ...(etag ? { 'if-none-match': etag } : {}) } });
    if (response.status === 304) notModified += 1;
    else if (response.status === 200) {
      etag = response.headers.get('etag') ?? undefined;
      if (((await response.json()) as { status: string }).status === 'UPLOADED') return { requests, notModified };
    } else await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

/** How many requests an app makes while one video uploads, by how it polls. Reported, not judged. */
export const polling: Scenario = {
  name: 'polling',
  async run(): Promise<BenchRow[]> {
    const bench = await startBenchSystem();
    const video = await makeVideoFile(SIZE_MIB * MiB);
    try {
      const token = await bench.tokenFor('bench-poller');
      const results = { plain: [] as number[], conditional: [] as number[], share304: [] as number[], long: [] as number[] };
      for (let i = 0; i < ROUNDS; i += 1) {
        const { videoId } = await postVideo(bench.system.commandApi, token, video.file);
        const url = `${bench.system.queryApi}/v1/videos/${videoId}`;
        const [plain, conditional, long] = await Promise.all([plainPolling(url, token), conditionalPolling(url, token), longPolling(url, token)]);
        results.plain.push(plain.requests);
        results.conditional.push(conditional.requests);
        results.share304.push(conditional.notModified / conditional.requests);
        results.long.push(long.requests);
      }
      const scenario = `polling one ${SIZE_MIB} MiB upload`;
      const plain = stats(results.plain);
      const long = stats(results.long);
      return [
        { scenario, metric: 'share of 1 s conditional polls answered 304', unit: 'share', reelay: stats(results.share304), goal: 'report' },
        { scenario, metric: 'requests: long-poll (waitSeconds=30) vs plain 1 s polling', unit: 'requests', reelay: long, baseline: plain, ratio: long.median / plain.median, goal: 'report' },
      ];
    } finally {
      await video.remove();
      await bench.stop();
    }
  },
};
