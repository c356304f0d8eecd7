import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { createLogger, loadConfig, natsServers, signToken } from '@reelay/platform';
import { ChildService, freePort, uniqueBucketName, uniqueName, testS3Env, type ChildExit } from '@reelay/testing';
import { startOneSignalStandIn, type OneSignalStandIn } from '@reelay/notifier/testing';
import { prepareEnvironment } from '../prepare';
import { SERVICE_ENTRIES } from '../serviceEntries';

export type ServiceName = 'command-api' | 'uploader' | 'projector' | 'query-api' | 'notifier';
export const SERVICE_NAMES: readonly ServiceName[] = ['projector', 'notifier', 'uploader', 'query-api', 'command-api'];

const PORT_VARIABLES: Record<ServiceName, string> = {
  'command-api': 'COMMAND_API_PORT',
  'query-api': 'QUERY_API_PORT',
  uploader: 'UPLOADER_OPS_PORT',
  projector: 'PROJECTOR_OPS_PORT',
  notifier: 'NOTIFIER_OPS_PORT',
};

export interface ChaosSystemOptions {
  readonly databaseUrl: string;
  readonly natsUrl: string;
  readonly s3Endpoint: string;
  /** Which services to run (all by default). */
  readonly services?: readonly ServiceName[];
  /** Variables on top of the harness's (tuning, limits). */
  readonly env?: NodeJS.ProcessEnv;
  /** Puts something (a proxy) between the notifier and the OneSignal stand-in: its URL for the stand-in's. */
  readonly oneSignalVia?: (standInUrl: string) => Promise<string>;
}

/**
 * The whole system with every service a process of its own — the same entry `npm run
 * start:<service>` runs — so that a test can kill, stop and start any one of them alone. Its own
 * database, stream, bucket, data folder and a loopback OneSignal stand-in.
 */
export interface ChaosSystem {
  readonly commandApi: string;
  readonly queryApi: string;
  readonly dataDir: string;
  readonly stagingDir: string;
  readonly bucket: string;
  readonly stream: string;
  readonly databaseUrl: string;
  readonly oneSignal: OneSignalStandIn;
  readonly services: ReadonlyMap<ServiceName, ChildService>;
  service(name: ServiceName): ChildService;
  /** Where the service answers `/healthz` and `/readyz`. */
  baseUrl(name: ServiceName): string;
  /** Starts a stopped service and waits until it listens, starting it again if it dies meanwhile. */
  start(name: ServiceName): Promise<void>;
  /** Resolves when `/readyz` of each named service (all by default) answers 200. */
  untilReady(names?: readonly ServiceName[], timeoutMs?: number): Promise<void>;
  /** A `/readyz` status (0 when it does not answer). */
  readyStatus(name: ServiceName): Promise<number>;
  token(userId: string): Promise<string>;
  /** SIGTERM to every service, measured; the OneSignal stand-in and data folder are removed. */
  stop(): Promise<Record<string, ChildExit>>;
}

const SECRET = 'chaos-secret-that-is-long-enough-for-hs256-0123456789';

export async function startChaosSystem(options: ChaosSystemOptions): Promise<ChaosSystem> {
  const names = options.services ?? SERVICE_NAMES;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'reelay-chaos-'));
  const stagingDir = path.join(dataDir, 'staging');
  const oneSignal = await startOneSignalStandIn();
  const bucket = uniqueBucketName('reelay-chaos');
  const stream = uniqueName('CHAOS');
  const ports = Object.fromEntries(await Promise.all(SERVICE_NAMES.map(async (name) => [name, await freePort()] as const))) as Record<ServiceName, number>;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    STAGING: `file://${stagingDir}`,
    DATABASE_URL: options.databaseUrl,
    EVENT_STORE_URL: options.databaseUrl,
    NATS_URL: options.natsUrl,
    JOBS_STREAM: stream,
    ...testS3Env(options.s3Endpoint),
    S3_BUCKET: bucket,
    ONESIGNAL_APP_ID: 'chaos-app',
    ONESIGNAL_API_KEY: 'chaos-key',
    ONESIGNAL_API_URL: options.oneSignalVia ? await options.oneSignalVia(oneSignal.url) : oneSignal.url,
    AUTH_JWT_SECRET: SECRET,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_MAX: '1000000',
    MAX_CONCURRENT_UPLOADS_PER_USER: '50',
    PROGRESS_INTERVAL_MS: '200',
    ...Object.fromEntries(SERVICE_NAMES.map((name) => [PORT_VARIABLES[name], String(ports[name])])),
    ...options.env,
  };
  // What `npm start` does first: the databases created and migrated once, not by five racing processes.
  const config = loadConfig(env);
  await prepareEnvironment(config, createLogger('chaos', 'warn'));

  const services = new Map<ServiceName, ChildService>();
  for (const name of names) {
    const entry = SERVICE_ENTRIES.find((service) => service.name === name);
    if (!entry) throw new Error(`no service ${name}`);
    services.set(name, new ChildService(name, entry.entry, env));
  }
  const service = (name: ServiceName) => {
    const found = services.get(name);
    if (!found) throw new Error(`${name} is not part of this system`);
    return found;
  };
  const baseUrl = (name: ServiceName) => `http://127.0.0.1:${ports[name]}`;
  const status = async (url: string) => {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(4000) });
      await response.arrayBuffer();
      return response.status;
    } catch {
      return 0;
    }
  };

  const start = async (name: ServiceName, timeoutMs = 90_000) => {
    const child = service(name);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // Like a supervisor: a service that could not start (its database down, say) is started again.
      if (!child.isRunning()) child.start();
      if ((await status(`${baseUrl(name)}/healthz`)) === 200) return;
      if (Date.now() > deadline) throw new Error(`${name} did not start:\n${child.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  };

  const system: ChaosSystem = {
    commandApi: baseUrl('command-api'),
    queryApi: baseUrl('query-api'),
    dataDir,
    stagingDir,
    bucket,
    stream,
    databaseUrl: options.databaseUrl,
    oneSignal,
    services,
    service,
    baseUrl,
    start,
    async untilReady(which = names, timeoutMs = 90_000) {
      const deadline = Date.now() + timeoutMs;
      for (const name of which) {
        while ((await status(`${baseUrl(name)}/readyz`)) !== 200) {
          if (Date.now() > deadline) throw new Error(`${name} did not become ready:\n${service(name).output()}`);
          await new Promise((resolve) => setTimeout(resolve, 150));
        }
      }
    },
    readyStatus: (name) => status(`${baseUrl(name)}/readyz`),
    token: (userId) => signToken(userId, { secret: SECRET }),
    stop() {
      stopped ??= stopAll();
      return stopped;
    },
  };
  let stopped: Promise<Record<string, ChildExit>> | undefined;
  const stopAll = async () => {
    const exits = await Promise.all([...services].map(async ([name, child]) => [name, await child.stop()] as const));
    await oneSignal.close();
    await rm(dataDir, { recursive: true, force: true });
    await deleteStream(options.natsUrl, stream);
    return Object.fromEntries(exits);
  };
  try {
    await Promise.all(names.map((name) => start(name)));
  } catch (error) {
    await system.stop().catch(() => undefined);
    throw error;
  }
  return system;
}

async function deleteStream(natsUrl: string, stream: string): Promise<void> {
  const nc = await connect({ servers: natsServers(natsUrl), reconnect: false, timeout: 2000 }).catch(() => undefined);
  if (!nc) return;
  await (await jetstreamManager(nc)).streams.delete(stream).catch(() => undefined);
  await nc.close();
}
