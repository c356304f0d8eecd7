import { randomBytes } from 'node:crypto';
import { signToken } from '@reelay/platform';
import { createTestDatabase, startCephGateway, uniqueBucketName, uniqueName, type CephGateway } from '@reelay/testing';
import { startSystem } from '../../system/src/e2e/runningSystem';
import { MiB, makeVideoFile } from '../harness/videoFile';
import { postVideo, waitUntilUploaded } from '../harness/videoClient';
import { stats, type BenchRow, type Scenario } from '../scenario';

const ROUNDS = Number(process.env.BENCH_COPY_ROUNDS ?? 1);
const VIDEO_MIB = Number(process.env.BENCH_COPY_VIDEO_MIB ?? 1024);
const SECRET = 'bench-secret-that-is-long-enough-for-hs256-0123456789';

/** The whole system on the gateway, staging on S3 in the same store, copying server-side or not. */
async function timeUploads(gateway: CephGateway, serverSideCopy: boolean, file: string): Promise<number[]> {
  const database = await createTestDatabase('reelay_bench_copy');
  const system = await startSystem({
    DATABASE_URL: database.url,
    JOBS_STREAM: uniqueName('BENCHCOPY'),
    S3_ENDPOINT: gateway.endpoint,
    S3_REGION: 'us-east-1',
    S3_ACCESS_KEY_ID: gateway.accessKeyId,
    S3_SECRET_ACCESS_KEY: gateway.secretAccessKey,
    S3_FORCE_PATH_STYLE: 'true',
    S3_BUCKET: uniqueBucketName('reelay-bench-videos'),
    STAGING: `s3://${uniqueBucketName('reelay-bench-staging')}/staging`,
    UPLOAD_SERVER_SIDE_COPY: String(serverSideCopy),
    AUTH_JWT_SECRET: SECRET,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_MAX: '100000000',
    MAX_CONCURRENT_UPLOADS_PER_USER: '1000',
  });
  try {
    const token = await signToken('bench-user', { secret: SECRET });
    const times: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const posted = performance.now();
      const { videoId, acceptedAt } = await postVideo(system.commandApi, token, file);
      times.push((await waitUntilUploaded(system.queryApi, token, videoId)) - acceptedAt);
      process.stderr.write(`bench: s3-copy ${serverSideCopy ? 'copy' : 'stream'} round ${round + 1}: POST ${Math.round(acceptedAt - posted)} ms, 202 → UPLOADED ${Math.round(times.at(-1) ?? 0)} ms\n`);
    }
    return times;
  } finally {
    await system.stop();
    await database.drop();
  }
}

/**
 * With S3 staging the uploader either has the store copy the staged object into the videos
 * bucket (one CopyObject, nothing passes through it) or reads it and uploads it again. Both on
 * one single-node Ceph (memstore OSD sized for the staged copies and the stored videos), one
 * after the other in the same run; the ratio is copy / stream of the medians.
 */
export const serverSideCopy: Scenario = {
  name: 's3-copy',
  async run(): Promise<BenchRow[]> {
    // RGW frees a removed object's data only at its garbage collection (hours later), and a full
    // OSD blocks every write (the next POST then times out): room for the staged copy of every
    // round, the stored copy of every streaming round (a whole-object copy shares the staged
    // copy's data), and two videos' worth for Ceph's own overhead and its 95 % full ratio.
    const memstoreBytes = (3 * ROUNDS + 2) * VIDEO_MIB * MiB;
    const gateway = await startCephGateway({ accessKeyId: `BENCH${randomBytes(6).toString('hex').toUpperCase()}`, secretAccessKey: randomBytes(24).toString('base64url'), memstoreBytes });
    process.stderr.write(`bench: Ceph gateway up in ${gateway.startedInMs} ms\n`);
    const video = await makeVideoFile(VIDEO_MIB * MiB);
    try {
      const copy = await timeUploads(gateway, true, video.file);
      const stream = await timeUploads(gateway, false, video.file);
      const row = { reelay: stats(copy), baseline: stats(stream) };
      return [
        {
          scenario: `S3 staging on Ceph, one ${VIDEO_MIB} MiB video`,
          metric: '202 → UPLOADED: server-side copy vs streaming through the uploader',
          unit: 'ms',
          ...row,
          ratio: row.reelay.median / row.baseline.median,
          goal: '≤ 0.3×',
        },
      ];
    } finally {
      await video.remove();
      await gateway.stop();
    }
  },
};
