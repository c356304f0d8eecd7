import { spawn } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT, bundledPathOf } from '@reelay/platform';

/** The services the image runs (deploy/Dockerfile's SERVICE), and the workspaces whose dist/ it holds. */
export const IMAGE_SERVICES = ['command-api', 'query-api', 'uploader', 'projector', 'notifier'] as const;
/** What the image holds compiled: the services, what they import, and the operators' CLI. */
export const IMAGE_WORKSPACES = ['contracts', 'platform', 'event-store', 'event-store-esdb', ...IMAGE_SERVICES, 'cli'] as const;

export interface ProductionTree {
  /** A copy of the project as the image's second stage lays it out. */
  readonly root: string;
  /** How long `npm ci --omit=dev` took there. */
  readonly installMs: number;
  remove(): Promise<void>;
}

function run(command: string, args: readonly string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, NODE_ENV: 'production' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${stderr}`))));
  });
}

async function newestMtime(directory: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(directory, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts')) newest = Math.max(newest, (await stat(path.join(entry.parentPath, entry.name))).mtimeMs);
  }
  return newest;
}

const mtimeOf = (file: string) => stat(file).then((s) => s.mtimeMs, () => 0);

/**
 * `npm run build` (tsc, then the services' bundles, which the image runs) when a source file is
 * newer than its workspace's last build, or a bundle older than it: `npm test` has just built, and
 * rewriting the bundles under a test that runs them would race it.
 */
async function ensureBuilt(): Promise<void> {
  let stale = false;
  let newestBuild = 0;
  for (const workspace of IMAGE_WORKSPACES) {
    const built = await mtimeOf(path.join(PROJECT_ROOT, workspace, 'tsconfig.tsbuildinfo'));
    newestBuild = Math.max(newestBuild, built);
    if ((await newestMtime(path.join(PROJECT_ROOT, workspace, 'src'))) > built) stale = true;
  }
  for (const service of IMAGE_SERVICES) {
    if ((await mtimeOf(path.join(PROJECT_ROOT, bundledPathOf(`${service}/src/main.ts`)))) < newestBuild) stale = true;
  }
  if (stale) await run('npm', ['run', '--silent', 'build'], PROJECT_ROOT);
}

/**
 * What the image's second stage does, without Docker: every workspace's package.json and the
 * lock copied to a new folder, `npm ci --omit=dev` there (no TypeScript, tsx, jest, s3rver,
 * pino-pretty), then the compiled dist/ of the workspaces the image holds.
 */
export async function prepareProductionTree(): Promise<ProductionTree> {
  await ensureBuilt();
  const root = await mkdtemp(path.join(os.tmpdir(), 'reelay-production-'));
  try {
    const manifest = JSON.parse(await readFile(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { workspaces: string[] };
    await cp(path.join(PROJECT_ROOT, 'package.json'), path.join(root, 'package.json'));
    await cp(path.join(PROJECT_ROOT, 'package-lock.json'), path.join(root, 'package-lock.json'));
    for (const workspace of manifest.workspaces) await cp(path.join(PROJECT_ROOT, workspace, 'package.json'), path.join(root, workspace, 'package.json'));
    const started = performance.now();
    await run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], root);
    const installMs = performance.now() - started;
    for (const workspace of IMAGE_WORKSPACES) await cp(path.join(PROJECT_ROOT, workspace, 'dist'), path.join(root, workspace, 'dist'), { recursive: true });
    await cp(path.join(PROJECT_ROOT, 'cli/bin'), path.join(root, 'cli/bin'), { recursive: true });
    return { root, installMs, remove: () => rm(root, { recursive: true, force: true }) };
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
}
