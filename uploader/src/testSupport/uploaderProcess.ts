import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { PROJECT_ROOT } from '@reelay/platform';
import { eventually } from '@reelay/platform/testing';
import { MiB, type UploaderTestKit } from './uploaderTestKit';

export interface LogLine {
  readonly msg?: string;
  readonly level?: number;
  readonly [field: string]: unknown;
}

export interface UploaderProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly lines: LogLine[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once the process says it takes jobs. */
  ready(): Promise<void>;
  kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The environment of an uploader process working on the kit's stream, database, bucket and staging. */
export function uploaderEnv(kit: UploaderTestKit, s3Endpoint: string, overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: kit.events.url,
    EVENT_STORE_URL: kit.events.url,
    NATS_URL: process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222',
    JOBS_STREAM: kit.streamName,
    S3_ENDPOINT: s3Endpoint,
    S3_BUCKET: kit.s3.bucket,
    S3_ACCESS_KEY_ID: 'S3RVER',
    S3_SECRET_ACCESS_KEY: 'S3RVER',
    S3_FORCE_PATH_STYLE: 'true',
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

/** Runs `uploader/src/main.ts` as production runs it, collecting its JSON log lines. */
export function startUploaderProcess(env: NodeJS.ProcessEnv): UploaderProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'uploader/src/main.ts')], { cwd: PROJECT_ROOT, env, stdio: 'pipe' });
  const lines: LogLine[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      lines.push(JSON.parse(line) as LogLine);
    } catch {
      // not a log line
    }
  });
  child.stderr.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    child,
    lines,
    exited,
    ready: () =>
      eventually(() => {
        if (child.exitCode !== null) throw new Error(`the uploader exited with ${child.exitCode}: ${JSON.stringify(lines.slice(-5))}`);
        if (!lines.some((line) => line.msg === 'uploader taking jobs')) throw new Error('the uploader is not taking jobs yet');
      }, 60_000),
    kill: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
