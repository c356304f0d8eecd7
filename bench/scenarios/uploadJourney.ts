/**
 * One video's journey through the whole system as `npm start` runs it (embedded S3): the time
 * from POST to 202 and to UPLOADED visible in the query API, and the peak resident memory of all
 * services while moving it, against their idle memory measured in the same run.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { signToken } from '@reelay/platform';
import { createTestDatabase, uniqueName } from '@reelay/platform/testing';
import { startSystem } from '../../system/src/e2e/runningSystem';
import { treeRssBytes } from '../processTree';
import { stats, type BenchRow, type Scenario } from '../scenario';

const MiB = 1024 * 1024;
const SECRET = 'bench-secret-that-is-long-enough-for-hs256-0123456789';

/** A file that sniffs as MP4 (an ftyp box) followed by random bytes, written without holding it in memory. */
async function makeVideoFile(sizeBytes: number): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'reelay-bench-'));
  const file = path.join(dir, 'video.mp4');
  const handle = await open(file, 'w');
  const ftyp = Buffer.concat([Buffer.from([0, 0, 0, 0x20]), Buffer.from('ftypisom\0\0\x02\0isomiso2avc1mp41', 'latin1')]);
  await handle.write(ftyp);
  for (let written = 32; written < sizeBytes; written += MiB) await handle.write(randomBytes(Math.min(MiB, sizeBytes - written)));
  await handle.close();
  return file;
}

async function measureOnce(sizeMiB: number) {
  const file = await makeVideoFile(sizeMiB * MiB);
  const database = await createTestDatabase('reelay_bench');
  const system = await startSystem({ DATABASE_URL: database.url, JOBS_STREAM: uniqueName('BENCH'), AUTH_JWT_SECRET: SECRET, LOG_LEVEL: 'warn' });
  try {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const idle = await treeRssBytes(system.pid);
    let peak = idle.total;
    const sampler = setInterval(() => {
      void treeRssBytes(system.pid).then(({ total }) => (peak = Math.max(peak, total)));
    }, 100);

    const token = await signToken('bench-user', { secret: SECRET });
    const started = performance.now();
    const response = await fetch(`${system.commandApi}/v1/videos?title=bench&fileName=bench.mp4`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'video/mp4', 'content-length': String(sizeMiB * MiB) },
      body: createReadStream(file) as unknown as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    const accepted = performance.now();
    const { videoId } = (await response.json()) as { videoId: string };
    for (;;) {
      const poll = await fetch(`${system.queryApi}/v1/videos/${videoId}?waitSeconds=5`, { headers: { authorization: `Bearer ${token}` } });
      const body = poll.status === 200 ? ((await poll.json()) as { status: string }) : undefined;
      if (body?.status === 'UPLOADED' || body?.status === 'FAILED') {
        if (body.status === 'FAILED') throw new Error('upload failed');
        break;
      }
    }
    const uploaded = performance.now();
    clearInterval(sampler);
    return { postTo202Ms: accepted - started, postToUploadedMs: uploaded - started, idleMiB: idle.total / MiB, peakOverIdleMiB: (peak - idle.total) / MiB };
  } finally {
    await system.stop();
    await database.drop();
    await rm(path.dirname(file), { recursive: true, force: true });
  }
}

const SIZE_MIB = Number(process.env.BENCH_VIDEO_MIB ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

export const uploadJourney: Scenario = {
  name: 'upload-journey',
  async run(): Promise<BenchRow[]> {
    const rounds = [];
    for (let i = 0; i < ROUNDS; i += 1) rounds.push(await measureOnce(SIZE_MIB));
    const scenario = `one ${SIZE_MIB} MiB video`;
    return [
      { scenario, metric: 'POST to 202', unit: 'ms', reelay: stats(rounds.map((r) => r.postTo202Ms)) },
      { scenario, metric: 'POST to UPLOADED', unit: 'ms', reelay: stats(rounds.map((r) => r.postToUploadedMs)) },
      { scenario, metric: 'idle RSS, all services', unit: 'MiB', reelay: stats(rounds.map((r) => r.idleMiB)) },
      { scenario, metric: 'peak RSS over idle', unit: 'MiB', reelay: stats(rounds.map((r) => r.peakOverIdleMiB)) },
    ];
  },
};
