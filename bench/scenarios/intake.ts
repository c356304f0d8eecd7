import { createReadStream } from 'node:fs';
import { startBenchSystem } from '../harness/benchSystem';
import { startBareServer } from '../harness/bareServers';
import { MiB, makeVideoFile } from '../harness/videoFile';
import { postVideo } from '../harness/videoClient';
import { stats, type BenchRow, type Scenario } from '../scenario';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SIZE_MIB = Number(process.env.BENCH_VIDEO_MIB ?? 256);

async function bareIntakeMs(url: string, file: string, size: number): Promise<number> {
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'video/mp4', 'content-length': String(size) },
    body: createReadStream(file) as unknown as ReadableStream,
    duplex: 'half',
  } as RequestInit);
  await response.arrayBuffer();
  return performance.now() - started;
}

/** `POST /v1/videos` until 202 against a bare Node server piping the body to a file. */
export const intake: Scenario = {
  name: 'intake',
  async run(): Promise<BenchRow[]> {
    const bench = await startBenchSystem();
    const bare = await startBareServer('intake', { DIR: bench.system.dataDir });
    const video = await makeVideoFile(SIZE_MIB * MiB);
    try {
      const token = await bench.tokenFor('bench-intake');
      const reelay: number[] = [];
      const baseline: number[] = [];
      for (let i = 0; i < ROUNDS; i += 1) {
        const started = performance.now();
        const { acceptedAt } = await postVideo(bench.system.commandApi, token, video.file);
        reelay.push(SIZE_MIB / ((acceptedAt - started) / 1000));
        baseline.push(SIZE_MIB / ((await bareIntakeMs(bare.url, video.file, SIZE_MIB * MiB)) / 1000));
      }
      const r = stats(reelay);
      const b = stats(baseline);
      return [{ scenario: `intake of ${SIZE_MIB} MiB`, metric: 'POST until 202 vs bare pipe to file', unit: 'MiB/s', reelay: r, baseline: b, ratio: r.median / b.median, goal: '≥ 0.8×' }];
    } finally {
      await video.remove();
      await bare.stop();
      await bench.stop();
    }
  },
};
