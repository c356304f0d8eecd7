import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Logger } from '@reelay/platform';

/** The embedded S3 server could not be started; `cause` or the message holds s3rver's reason. */
export class EmbeddedS3StartFailed extends Error {
  override readonly name = 'EmbeddedS3StartFailed';
}

export interface EmbeddedS3Options {
  /** Where s3rver keeps buckets and objects; created when missing. */
  readonly directory: string;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /** Told when the server dies without being stopped. */
  readonly logger?: Pick<Logger, 'error' | 'info'>;
  readonly startTimeoutMs?: number;
}

export interface EmbeddedS3 {
  /** e.g. `http://127.0.0.1:40123`, for `createS3Client(config, endpoint)`. */
  readonly endpoint: string;
  /** The server's process id (for diagnostics and tests). */
  readonly pid: number;
  /** Stops the server and waits for its process to exit; safe to call twice or after a crash. */
  stop(): Promise<void>;
}

/**
 * Plain JavaScript beside this file's source, which tsc does not copy: found from `src/` (tsx,
 * jest) and from `dist/` (the compiled launcher of a development tree) alike.
 */
const CHILD_SCRIPT = path.resolve(__dirname, '../../src/embeddedS3/s3rverProcess.js');
const STOP_GRACE_MS = 5_000;
const STDERR_TAIL_CHARS = 4_000;

/**
 * Starts s3rver in a child process of its own: s3rver crashes on some malformed requests
 * (a CompleteMultipartUpload naming a part that was never uploaded), and such a crash must not
 * take down the service or the test worker that uses it. The child exits by itself when this
 * process dies (it watches its stdin), so no server outlives its parent.
 */
export async function startEmbeddedS3(options: EmbeddedS3Options): Promise<EmbeddedS3> {
  const { directory, port = 0, host = '127.0.0.1', logger, startTimeoutMs = 15_000 } = options;
  await mkdir(directory, { recursive: true });
  const child = spawn(process.execPath, [CHILD_SCRIPT, JSON.stringify({ directory, port, host })], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderrTail = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    stderrTail = (stderrTail + text).slice(-STDERR_TAIL_CHARS);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    // A child that never started emits 'error' but no 'exit'.
    child.on('error', (error) => {
      stderrTail += `\n${error.message}`;
      if (child.pid === undefined) resolve({ code: null, signal: null });
    });
  });

  let boundPort: number;
  try {
    boundPort = await waitForReady(child, exited, startTimeoutMs, () => stderrTail);
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw error;
  }

  let stopping = false;
  void exited.then(({ code, signal }) => {
    if (stopping) return;
    logger?.error({ code, signal, stderr: stderrTail.trim() || undefined }, 'embedded S3 server exited unexpectedly');
  });

  return {
    endpoint: `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`,
    pid: child.pid ?? -1,
    async stop() {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const forceKill = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await exited;
        clearTimeout(forceKill);
      }
      child.stdin?.destroy();
    },
  };
}

function waitForReady(
  child: ChildProcess,
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
  timeoutMs: number,
  stderr: () => string,
): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => {
      done();
      reject(new EmbeddedS3StartFailed(`s3rver did not report ready within ${timeoutMs} ms: ${stderr().trim()}`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      lines.close();
      // Keep draining stdout so that a chatty child never blocks on a full pipe.
      child.stdout?.resume();
    };
    lines.on('line', (line) => {
      const port = readyPort(line);
      if (port === undefined) return;
      done();
      resolve(port);
    });
    void exited.then(({ code, signal }) => {
      done();
      reject(new EmbeddedS3StartFailed(`s3rver exited before it was ready (code ${code}, signal ${signal}): ${stderr().trim()}`));
    });
  });
}

function readyPort(line: string): number | undefined {
  try {
    const message = JSON.parse(line) as { ready?: unknown; port?: unknown };
    return message.ready === true && typeof message.port === 'number' ? message.port : undefined;
  } catch {
    return undefined;
  }
}
