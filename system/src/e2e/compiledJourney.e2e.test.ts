import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { PROJECT_ROOT, bundledPathOf, nodeArgsForEntry } from '@reelay/platform';
import { signToken } from '@reelay/platform/auth';
import { createTestDatabase, createTestS3Client, eventually, freePort, testS3Endpoint, uniqueBucketName, uniqueName } from '@reelay/testing';
import { startOneSignalStandIn, type OneSignalStandIn } from '@reelay/notifier/testing';
import { SERVICE_ENTRIES, SERVICE_ENVIRONMENT } from '../serviceEntries';
import { IMAGE_SERVICES, prepareProductionTree, type ProductionTree } from './productionTree';

const SECRET = randomBytes(32).toString('base64');
const SAMPLE = path.join(PROJECT_ROOT, 'system/fixtures/sample.mp4');
const PORT_VARIABLE: Record<(typeof IMAGE_SERVICES)[number], string> = {
  'command-api': 'COMMAND_API_PORT',
  'query-api': 'QUERY_API_PORT',
  uploader: 'UPLOADER_OPS_PORT',
  projector: 'PROJECTOR_OPS_PORT',
  notifier: 'NOTIFIER_OPS_PORT',
};
/** Installed by `npm ci` for development only; none may be in the production tree. */
const DEV_ONLY_PACKAGES = ['typescript', 'tsx', 'jest', 's3rver', 'pino-pretty', '@swc/core', 'playwright-core', 'autocannon'];
/** Packages no service on Postgres should load at start. */
const UNUSED_BY_ALL = ['@eventstore/db-client', '@grpc/grpc-js', 's3rver', 'tsx', 'esbuild'];
/**
 * The AWS SDK is some 5 MiB of RSS: only the services that use S3 load it (`@reelay/platform/s3`),
 * the uploader always, the command API only when staging is on S3 (with `@tus/s3-store`).
 */
const AWS_SDK = ['@aws-sdk/client-s3', '@aws-sdk/lib-storage'];
/** Token signing and verification: only the two APIs verify tokens (`@reelay/platform/auth`). */
const JOSE = ['jose'];
/** The NATS client: only the command API and the uploader use the job queue (`@reelay/platform/jobs`). */
const NATS = ['@nats-io/transport-node', '@nats-io/jetstream'];
const UNUSED_AT_START: Record<(typeof IMAGE_SERVICES)[number], readonly string[]> = {
  'command-api': [...UNUSED_BY_ALL, ...AWS_SDK, '@tus/s3-store'],
  uploader: [...UNUSED_BY_ALL, ...JOSE],
  'query-api': [...UNUSED_BY_ALL, ...AWS_SDK, ...NATS],
  projector: [...UNUSED_BY_ALL, ...AWS_SDK, ...JOSE, ...NATS],
  notifier: [...UNUSED_BY_ALL, ...AWS_SDK, ...JOSE, ...NATS],
};

interface RunningService {
  readonly child: ChildProcess;
  readonly port: number;
  output(): string;
  exited: Promise<number | null>;
}

/**
 * What a compiled service holds once its whole import graph is in: the files its bundle was built
 * from (its metafile), and the modules it requires from `node_modules` beside it. A bad port stops
 * it (exit 2) right after, before it connects anywhere, and an exit hook lists `require.cache`.
 */
async function modulesLoadedAtStart(root: string, name: (typeof IMAGE_SERVICES)[number]): Promise<{ code: number | null; loaded: string[] }> {
  const bundle = path.join(root, bundledPathOf(`${name}/src/main.ts`));
  const bundled = Object.keys((JSON.parse(await readFile(`${bundle}.meta.json`, 'utf8')) as { inputs: Record<string, unknown> }).inputs).map((input) => `/${input}`);
  const script = `process.on('exit', () => process.stdout.write(JSON.stringify(Object.keys(require.cache)))); require(${JSON.stringify(bundle)});`;
  const child = spawn(process.execPath, ['--conditions=reelay-dist', '-e', script], {
    cwd: root,
    env: { PATH: process.env.PATH, NODE_ENV: 'production', [PORT_VARIABLE[name]]: 'not-a-port' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, loaded: [...bundled, ...(stdout ? (JSON.parse(stdout) as string[]) : [])] })));
}

/**
 * The image's shape without Docker: a copy of the project after `npm ci --omit=dev` and the
 * build, each service run as the image's CMD runs it (`node <its flags> --conditions=reelay-dist
 * <service>/dist/bundle/main.js`, only the variables a deployment sets), then the journey a phone makes.
 */
describe('the compiled services, installed and run as the image runs them', () => {
  let tree: ProductionTree;
  let oneSignal: OneSignalStandIn;
  let database: { url: string; drop(): Promise<void> };
  let stagingDir: string;
  const stream = uniqueName('COMPILED');
  const bucket = uniqueBucketName('reelay-compiled');
  const services = new Map<string, RunningService>();
  const s3 = createTestS3Client();

  beforeAll(async () => {
    const started = performance.now();
    tree = await prepareProductionTree();
    process.stderr.write(`compiled journey: production tree in ${Math.round(performance.now() - started)} ms (npm ci --omit=dev ${Math.round(tree.installMs)} ms)\n`);
    oneSignal = await startOneSignalStandIn();
    database = await createTestDatabase('reelay_compiled');
    stagingDir = await mkdtemp(path.join(os.tmpdir(), 'reelay-compiled-staging-'));
    const ports = Object.fromEntries(await Promise.all(IMAGE_SERVICES.map(async (name) => [PORT_VARIABLE[name], String(await freePort())])));
    // Everything a deployment sets, except NODE_ENV=production: production mode refuses the S3
    // credentials published in the repository, and s3rver, the S3 here, knows no others. A
    // loopback HOST keeps it a development run; every other secret is a fresh random one.
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      // The image's ENV (deployManifests.unit.test.ts holds them equal).
      ...SERVICE_ENVIRONMENT,
      HOST: '127.0.0.1',
      ...ports,
      DATABASE_URL: database.url,
      NATS_URL: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
      JOBS_STREAM: stream,
      S3_ENDPOINT: testS3Endpoint(),
      S3_BUCKET: bucket,
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      S3_FORCE_PATH_STYLE: 'true',
      STAGING: `file://${stagingDir}`,
      AUTH_JWT_SECRET: SECRET,
      PERSONAL_DATA_KEK: randomBytes(32).toString('base64'),
      ONESIGNAL_APP_ID: 'compiled-app',
      ONESIGNAL_API_KEY: randomBytes(16).toString('hex'),
      ONESIGNAL_API_URL: oneSignal.url,
      PROGRESS_INTERVAL_MS: '200',
    };
    for (const name of IMAGE_SERVICES) {
      // With the Node flags the image gives each (deployManifests.unit.test.ts holds them equal).
      const flags = SERVICE_ENTRIES.find((service) => service.name === name)?.nodeFlags ?? [];
      const child = spawn(process.execPath, [...flags, ...nodeArgsForEntry(`${name}/src/main.ts`, { compiled: true, bundled: true, root: tree.root })], { cwd: tree.root, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
      child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      services.set(name, { child, port: Number(ports[PORT_VARIABLE[name]]), output: () => output, exited });
    }
    for (const [name, service] of services) {
      await eventually(
        async () => {
          if (service.child.exitCode !== null) throw new Error(`${name} exited with ${service.child.exitCode}`);
          const status = (await fetch(`http://127.0.0.1:${service.port}/readyz`)).status;
          if (status !== 200) throw new Error(`${name} is not ready (${status})`);
        },
        120_000,
        100,
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n${service.output()}`);
      });
    }
  }, 600_000);

  afterAll(async () => {
    for (const service of services.values()) if (service.child.exitCode === null && service.child.signalCode === null) service.child.kill('SIGKILL');
    await Promise.all([...services.values()].map((service) => service.exited));
    s3.destroy();
    await oneSignal?.close();
    await database?.drop();
    const nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
    await (await jetstreamManager(nc)).streams.delete(stream).catch(() => undefined);
    await nc.close();
    if (stagingDir) await rm(stagingDir, { recursive: true, force: true });
    await tree?.remove();
  }, 60_000);

  it('holds no development package', () => {
    const present = DEV_ONLY_PACKAGES.filter((name) => existsSync(path.join(tree.root, 'node_modules', name)));
    expect(present).toEqual([]);
    // …and the compiled code is really there, with its source maps, and each service's bundle with its.
    expect(existsSync(path.join(tree.root, 'command-api/dist/main.js.map'))).toBe(true);
    for (const name of IMAGE_SERVICES) expect(existsSync(path.join(tree.root, `${bundledPathOf(`${name}/src/main.ts`)}.map`))).toBe(true);
  });

  it('takes a video to UPLOADED, stores it byte for byte and pushes once', async () => {
    const video = await readFile(SAMPLE);
    const token = await signToken('compiled-alice', { secret: SECRET });
    const commandApi = `http://127.0.0.1:${services.get('command-api')!.port}`;
    const accepted = await fetch(`${commandApi}/v1/videos?title=Compiled&fileName=compiled.mp4`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'video/mp4' },
      body: video,
    });
    expect(accepted.status).toBe(202);
    const { videoId } = (await accepted.json()) as { videoId: string };
    const location = accepted.headers.get('location') as string;
    expect(location).toBe(`http://127.0.0.1:${services.get('query-api')!.port}/v1/videos/${videoId}`);

    const final = await eventually(
      async () => {
        const response = await fetch(location, { headers: { authorization: `Bearer ${token}` } });
        const body = response.status === 200 ? ((await response.json()) as { status: string; metaInfo: { sizeBytes: number } }) : undefined;
        if (body?.status !== 'UPLOADED') throw new Error(`not UPLOADED yet: ${body?.status ?? response.status}`);
        return body;
      },
      120_000,
      100,
    );
    expect(final.metaInfo.sizeBytes).toBe(video.length);
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: `videos/${videoId}` }));
    const stored = Buffer.from(await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
    expect(createHash('sha256').update(stored).digest('hex')).toBe(createHash('sha256').update(video).digest('hex'));
    await oneSignal.waitForRequests(1, 30_000);
    expect(oneSignal.uniqueNotifications()).toBe(1);
  }, 180_000);

  it("runs the operators' CLI compiled, without tsx: `reelay verify log` proves the journey's events", async () => {
    const child = spawn(process.execPath, [path.join(tree.root, 'cli/bin/reelay.cjs'), 'verify', 'log'], {
      cwd: tree.root,
      env: { PATH: process.env.PATH, DATABASE_URL: database.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect({ code, output }).toEqual({ code: 0, output: expect.stringMatching(/verified: [1-9]\d* events? in [1-9]\d* streams?, every hash chain intact/) as unknown as string });
  }, 60_000);

  it('loads no EventStoreDB client, s3rver, tsx or esbuild at start; the AWS SDK only where S3 is used, jose only where tokens are verified, NATS only where jobs are queued', async () => {
    const listings = await Promise.all(IMAGE_SERVICES.map(async (name) => ({ name, ...(await modulesLoadedAtStart(tree.root, name)) })));
    for (const { name, code, loaded } of listings) {
      expect({ name, code }).toEqual({ name, code: 2 });
      expect(loaded.length).toBeGreaterThan(100);
      expect({ name, unused: UNUSED_AT_START[name].filter((pkg) => loaded.some((file) => file.includes(`/node_modules/${pkg}/`))) }).toEqual({ name, unused: [] });
    }
  });

  it('drains on SIGTERM, even when a second one follows, and exits 0', async () => {
    for (const service of services.values()) service.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (const service of services.values()) service.child.kill('SIGTERM');
    const codes = await Promise.all([...services.entries()].map(async ([name, service]) => [name, await service.exited]));
    expect(Object.fromEntries(codes)).toEqual(Object.fromEntries(IMAGE_SERVICES.map((name) => [name, 0])));
  }, 60_000);
});
