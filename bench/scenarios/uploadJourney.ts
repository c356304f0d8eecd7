import { createReadStream } from 'node:fs';
import { Upload } from '@aws-sdk/lib-storage';
import { EMBEDDED_S3_CREDENTIALS } from '@reelay/platform';
import { createS3Client } from '@reelay/platform/s3';
import { startBenchSystem } from '../harness/benchSystem';
import { samplePeakRss, treeRssBytes } from '../harness/processTree';
import { MiB, makeVideoFile } from '../harness/videoFile';
import { postVideo, waitUntilUploaded } from '../harness/videoClient';
import { stats, type BenchRow, type Scenario } from '../scenario';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const COST_MIB = Number(process.env.BENCH_VIDEO_MIB ?? 256);
// The same part size and parallelism as the uploader's defaults, so only the system differs.
const PART_SIZE = 8 * MiB;
const QUEUE_SIZE = 4;

/** A bare `@aws-sdk/lib-storage` upload of the file to the same S3 server: the floor. */
async function bareUploadMs(endpoint: string, bucket: string, file: string): Promise<number> {
  const client = createS3Client({ S3_REGION: 'us-east-1', S3_FORCE_PATH_STYLE: true, S3_ACCESS_KEY_ID: EMBEDDED_S3_CREDENTIALS.accessKeyId, S3_SECRET_ACCESS_KEY: EMBEDDED_S3_CREDENTIALS.secretAccessKey }, endpoint);
  const started = performance.now();
  await new Upload({ client, params: { Bucket: bucket, Key: `baseline/${started}`, Body: createReadStream(file) }, partSize: PART_SIZE, queueSize: QUEUE_SIZE }).done();
  const ms = performance.now() - started;
  client.destroy();
  return ms;
}

/**
 * The server-side cost of one video (202 → UPLOADED visible) against a bare multipart upload of
 * the same file to the same S3 server, and the services' peak memory while moving 100 MiB and
 * 1 GiB against their idle memory.
 */
export const uploadJourney: Scenario = {
  name: 'upload-journey',
  async run(): Promise<BenchRow[]> {
    const bench = await startBenchSystem();
    const video = await makeVideoFile(COST_MIB * MiB);
    try {
      const token = await bench.tokenFor('bench-user');
      // Memory first, against the services' memory right after start: RSS seldom shrinks, so an
      // "idle" read after other uploads would hide what they cost.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const idle = await treeRssBytes(bench.system.pid);
      const memory: BenchRow[] = [];
      for (const sizeMiB of [100, 1024]) {
        const file = await makeVideoFile(sizeMiB * MiB);
        const sampler = samplePeakRss(bench.system.pid);
        const { videoId } = await postVideo(bench.system.commandApi, token, file.file);
        await waitUntilUploaded(bench.system.queryApi, token, videoId);
        const peak = await sampler.stop();
        await file.remove();
        memory.push({
          scenario: 'memory',
          metric: `peak RSS of all services moving ${sizeMiB} MiB, over idle at start`,
          unit: 'MiB',
          reelay: stats([(peak - idle) / MiB]),
          baseline: stats([idle / MiB]),
          goal: '≤ +128 MiB, same for both sizes',
        });
      }

      const reelay: number[] = [];
      const baseline: number[] = [];
      for (let i = 0; i < ROUNDS; i += 1) {
        const { videoId, acceptedAt } = await postVideo(bench.system.commandApi, token, video.file);
        reelay.push((await waitUntilUploaded(bench.system.queryApi, token, videoId)) - acceptedAt);
        baseline.push(await bareUploadMs(bench.s3.endpoint, bench.bucket, video.file));
      }
      const cost = { reelay: stats(reelay), baseline: stats(baseline) };
      return [
        {
          scenario: `server-side cost of one ${COST_MIB} MiB video`,
          metric: '202 → UPLOADED visible vs bare lib-storage upload',
          unit: 'ms',
          ...cost,
          ratio: cost.reelay.median / cost.baseline.median,
          goal: '≤ 1.2×',
        },
        ...memory,
      ];
    } finally {
      await video.remove();
      await bench.stop();
    }
  },
};
