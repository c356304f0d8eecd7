import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '@reelay/testing';

/**
 * Baselines that run as processes of their own, as Reelay's services do, so that neither side
 * shares the benchmark's event loop. Each is the least a server can do for the same request.
 */
const PROGRAMS = {
  /** Pipes a request body into a file and answers 202: the floor for upload intake. */
  intake: `
    const http = require('node:http'); const fs = require('node:fs'); const path = require('node:path');
    const dir = process.env.DIR; let n = 0;
    http.createServer((req, res) => {
      const file = path.join(dir, 'upload-' + (n++));
      req.pipe(fs.createWriteStream(file)).on('finish', () => { fs.rmSync(file, { force: true }); res.writeHead(202).end('{}'); });
    }).listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('ready\\n'));
  `,
  /** A bare fastify route doing the same primary-key read of video_info with pg. */
  statusRead: `
    const fastify = require('fastify')(); const { Pool } = require('pg');
    const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
    fastify.get('/v/:id', async (req) => (await pool.query('select * from video_info where video_id = $1', [req.params.id])).rows[0]);
    fastify.listen({ port: Number(process.env.PORT), host: '127.0.0.1' }).then(() => process.stdout.write('ready\\n'));
  `,
} as const;

export async function startBareServer(kind: keyof typeof PROGRAMS, env: NodeJS.ProcessEnv = {}): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['-e', PROGRAMS[kind]], {
    cwd: __dirname,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`bare ${kind} server exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
