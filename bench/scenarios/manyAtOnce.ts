import { startBenchSystem } from '../harness/benchSystem';
import { MiB, makeVideoFile } from '../harness/videoFile';
import { postVideo, waitUntilUploaded } from '../harness/videoClient';
import { stats, type BenchRow, type Scenario } from '../scenario';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const USERS = Number(process.env.BENCH_PARALLEL_USERS ?? 50);
const SIZE_MIB = 10;

/** 50 users uploading 10 MiB each at once: aggregate throughput against one video alone. */
export const manyAtOnce: Scenario = {
  name: 'many-at-once',
  async run(): Promise<BenchRow[]> {
    const bench = await startBenchSystem();
    const video = await makeVideoFile(SIZE_MIB * MiB);
    try {
      const tokens = await Promise.all(Array.from({ length: USERS }, (_, i) => bench.tokenFor(`bench-user-${i}`)));
      const single: number[] = [];
      const parallel: number[] = [];
      for (let round = 0; round < ROUNDS; round += 1) {
        const started = performance.now();
        const { videoId } = await postVideo(bench.system.commandApi, tokens[0] as string, video.file);
        const done = await waitUntilUploaded(bench.system.queryApi, tokens[0] as string, videoId);
        single.push(SIZE_MIB / ((done - started) / 1000));

        const allStarted = performance.now();
        await Promise.all(
          tokens.map(async (token) => {
            const posted = await postVideo(bench.system.commandApi, token, video.file);
            await waitUntilUploaded(bench.system.queryApi, token, posted.videoId);
          }),
        );
        parallel.push((USERS * SIZE_MIB) / ((performance.now() - allStarted) / 1000));
      }
      const p = stats(parallel);
      const s = stats(single);
      return [
        {
          scenario: `${USERS} uploads of ${SIZE_MIB} MiB at once`,
          metric: 'aggregate POST→UPLOADED throughput vs one video alone',
          unit: 'MiB/s',
          reelay: p,
          baseline: s,
          ratio: p.median / s.median,
          goal: '≥ 0.8×',
        },
      ];
    } finally {
      await video.remove();
      await bench.stop();
    }
  },
};
