import path from 'node:path';
import { PROJECT_ROOT } from '@reelay/platform';
import { startServiceProcess, testS3Env, type ServiceProcess } from '@reelay/testing';
import { MiB, type UploaderTestKit } from './uploaderTestKit';

export type UploaderProcess = ServiceProcess;

/** The environment of an uploader process working on the kit's stream, database, bucket and staging. */
export function uploaderEnv(kit: UploaderTestKit, s3Endpoint: string, overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: kit.events.url,
    EVENT_STORE_URL: kit.events.url,
    NATS_URL: process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222',
    JOBS_STREAM: kit.streamName,
    ...testS3Env(s3Endpoint),
    S3_BUCKET: kit.s3.bucket,
    STAGING: `file://${kit.stagingDir}`,
    DATA_DIR: path.join(kit.stagingDir, '.data'),
    UPLOADER_OPS_PORT: '0',
    UPLOAD_PART_SIZE_BYTES: String(5 * MiB),
    UPLOAD_QUEUE_SIZE: '2',
    UPLOADER_CONCURRENCY: '1',
    PROGRESS_INTERVAL_MS: '0',
    LOG_LEVEL: 'info',
    ...overrides,
  };
}

/** Runs `uploader/src/main.ts` as production runs it, collecting its JSON log lines; ready once it takes jobs. */
export function startUploaderProcess(env: NodeJS.ProcessEnv): UploaderProcess {
  return startServiceProcess('uploader', path.join(PROJECT_ROOT, 'uploader/src/main.ts'), env, 'uploader taking jobs');
}
