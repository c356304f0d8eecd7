import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { EMBEDDED_S3_CREDENTIALS } from '@reelay/platform';
import { createS3Client } from '@reelay/platform/s3';
import { makeTestVideos, padMp4WithMoovAtEnd } from '@reelay/testing';
import { MediaProber } from '../../uploader/src/probeMedia/readMediaFacts';
import { s3RangeSource } from '../../uploader/src/probeMedia/rangeSources';
import { startBenchSystem, type BenchSystem } from '../harness/benchSystem';
import { samplePeakRss, treeRssBytes } from '../harness/processTree';
import { MiB, makeVideoFile } from '../harness/videoFile';
import { postVideo } from '../harness/videoClient';
import { stats, type BenchRow, type Scenario } from '../scenario';

const run = promisify(execFile);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const GiB = 1024 * MiB;

/** The uploader's process (its pid under the system's launcher). */
async function uploaderPid(rootPid: number): Promise<number> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    const status = await readFile(`/proc/${entry}/status`, 'utf8').catch(() => '');
    if (cmdline.includes('uploader/src/main.ts') && (/PPid:\s+(\d+)/.exec(status)?.[1] ?? '') === String(rootPid)) return Number(entry);
  }
  throw new Error('no uploader process under the bench system');
}

/** Until the query API shows the video's probe settled; its media state. */
async function waitUntilProbed(bench: BenchSystem, token: string, videoId: string): Promise<string> {
  for (;;) {
    const response = await fetch(`${bench.system.queryApi}/v1/videos/${videoId}`, { headers: { authorization: `Bearer ${token}` } });
    if (response.status === 200) {
      const view = (await response.json()) as { status: string; metaInfo: { mediaProbe: string } };
      if (view.status === 'FAILED') throw new Error(`upload of ${videoId} failed`);
      if (view.metaInfo.mediaProbe !== 'pending') return view.metaInfo.mediaProbe;
    } else await response.arrayBuffer();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Media facts: the uploader's peak memory while it moves and then probes a 1 GiB MP4 whose `moov`
 * is at the end, against moving a 1 GiB file with no container in the same run (its probe gives
 * up at once); and the time to probe a stored 100 MiB and 1 GiB MP4 from S3 by ranged reads,
 * against ffprobe reading the same file from local disk.
 */
export const mediaProbe: Scenario = {
  name: 'media-probe',
  async run(): Promise<BenchRow[]> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'reelay-bench-media-'));
    const bench = await startBenchSystem();
    const s3 = createS3Client({ S3_REGION: 'us-east-1', S3_FORCE_PATH_STYLE: true, S3_ACCESS_KEY_ID: EMBEDDED_S3_CREDENTIALS.accessKeyId, S3_SECRET_ACCESS_KEY: EMBEDDED_S3_CREDENTIALS.secretAccessKey }, bench.s3.endpoint);
    const prober = new MediaProber();
    try {
      const token = await bench.tokenFor('bench-media');
      const { mp4 } = await makeTestVideos(dir);
      const uploader = await uploaderPid(bench.system.pid);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const idle = await treeRssBytes(uploader);

      const moveAndProbe = async (file: string) => {
        const sampler = samplePeakRss(uploader);
        const { videoId } = await postVideo(bench.system.commandApi, token, file);
        const outcome = await waitUntilProbed(bench, token, videoId);
        return { videoId, outcome, peak: await sampler.stop() };
      };
      const noContainer = await makeVideoFile(GiB);
      const baseline = await moveAndProbe(noContainer.file);
      await noContainer.remove();
      const big = path.join(dir, 'moov-at-end-1GiB.mp4');
      await padMp4WithMoovAtEnd(mp4, big, GiB);
      const probed = await moveAndProbe(big);
      if (probed.outcome !== 'probed' || baseline.outcome !== 'failed') throw new Error(`unexpected probe outcomes ${probed.outcome}/${baseline.outcome}`);
      const rows: BenchRow[] = [
        {
          scenario: 'media probe: memory',
          metric: 'uploader peak RSS over idle: 1 GiB MP4, moov at end, moved + probed (baseline: 1 GiB without container)',
          unit: 'MiB',
          reelay: stats([(probed.peak - idle) / MiB]),
          baseline: stats([(baseline.peak - idle) / MiB]),
          ratio: (probed.peak - idle) / Math.max(1, baseline.peak - idle),
          goal: 'unchanged (≈ 1×)',
        },
      ];

      for (const sizeBytes of [100 * MiB, GiB]) {
        const file = path.join(dir, `moov-at-end-${sizeBytes}.mp4`);
        await padMp4WithMoovAtEnd(mp4, file, sizeBytes);
        const { videoId } = sizeBytes === GiB ? probed : await moveAndProbe(file);
        const reelay: number[] = [];
        const ffprobe: number[] = [];
        let bytesRead = 0;
        for (let i = 0; i < ROUNDS; i += 1) {
          const started = performance.now();
          const outcome = await prober.probe(await s3RangeSource(s3, bench.bucket, `videos/${videoId}`));
          reelay.push(performance.now() - started);
          bytesRead = outcome.bytesRead;
          const local = performance.now();
          await run('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', file]);
          ffprobe.push(performance.now() - local);
        }
        const times = { reelay: stats(reelay), baseline: stats(ffprobe) };
        rows.push({
          scenario: `media probe: ${sizeBytes / MiB} MiB MP4, moov at end`,
          metric: `probe from S3 by ranged GETs (${Math.round(bytesRead / 1024)} KiB read) vs ffprobe on local disk`,
          unit: 'ms',
          ...times,
          ratio: times.reelay.median / times.baseline.median,
          goal: 'reads well under 1 MiB at any size',
        });
      }
      return rows;
    } finally {
      prober.close();
      s3.destroy();
      await bench.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
};
