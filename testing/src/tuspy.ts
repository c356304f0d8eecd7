import { execFile, spawnSync } from 'node:child_process';
import path from 'node:path';

/** Debian's python, which sees Debian's python3-tuspy (a pyenv `python3` earlier on the PATH does not). */
export const TUSPY_PYTHON = '/usr/bin/python3';
const DRIVER = path.join(__dirname, 'tuspyDriver.py');

/** Whether tuspy can run here; `.ci/run` installs python3-tuspy. */
export function haveTuspy(): boolean {
  return spawnSync(TUSPY_PYTHON, ['-c', 'import tusclient'], { stdio: 'ignore' }).status === 0;
}

export interface TuspyUpload {
  /** The tus endpoint, e.g. `http://127.0.0.1:PORT/v1/uploads`. */
  readonly endpoint: string;
  readonly token: string;
  readonly file: string;
  readonly chunkSize: number;
  readonly metadata: Readonly<Record<string, string>>;
  /** Resume this upload URL with a new client object (tuspy asks the offset with HEAD). */
  readonly url?: string;
  /** Stop once this many bytes are stored. */
  readonly stopAt?: number;
}

/** What one tuspy run did. */
export interface TuspyRun {
  readonly url: string | null;
  readonly offset: number | null;
  /** The offset this client object started from: 0 for a new upload, the server's for a resumed one. */
  readonly startedAt: number;
  /** Requests sent, by method. */
  readonly requests: Readonly<Record<string, number>>;
  /** Body bytes sent (PATCHes). */
  readonly bytesSent: number;
  /** The last `Reelay-Video-Id` answered. */
  readonly videoId: string | null;
  /** The error tuspy raised, if it gave up. */
  readonly error?: { readonly message: string; readonly status: number | null; readonly body: string | null };
}

/** Runs tuspy for one upload (see tuspyDriver.py); resolves with what it did, a tus error included. */
export function runTuspy(upload: TuspyUpload, timeoutMs = 300_000): Promise<TuspyRun> {
  return new Promise((resolve, reject) => {
    execFile(TUSPY_PYTHON, [DRIVER, JSON.stringify(upload)], { timeout: timeoutMs, maxBuffer: 1024 * 1024 }, (error, stdout, stderr) => {
      const code = (error as { code?: unknown } | null)?.code;
      const line = stdout.trim().split('\n').pop() ?? '';
      if (error && code !== 3) return reject(new Error(`tuspy failed (${code ?? error.message}): ${stderr.trim().slice(-2000)}`));
      try {
        resolve(JSON.parse(line) as TuspyRun);
      } catch {
        reject(new Error(`tuspy printed no result: ${stdout.slice(-500)} ${stderr.slice(-2000)}`));
      }
    });
  });
}
