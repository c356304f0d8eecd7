import { randomBytes } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createLogger, loadConfig, signToken } from '@reelay/platform';
import { startEmbeddedS3 } from '@reelay/testing/embeddedS3';
import { ChildService, freePort, type ChildExit } from '@reelay/testing';
import { prepareEnvironment } from '../prepare';
import { SERVICE_ENTRIES } from '../serviceEntries';
import { haproxyConfig } from './haproxyConfig';
import { startNatsCluster, type NatsCluster } from './natsCluster';
import { startPostgresPair, type PostgresPair } from './postgresPair';
import { ProcessHandle, httpStatus, until } from './processHandle';

export type ClusterService = 'command-api' | 'query-api' | 'uploader' | 'projector' | 'notifier';

/** Copies of each service: the topology by default. */
export type ClusterCounts = Readonly<Record<ClusterService, number>>;
export const DEFAULT_COUNTS: ClusterCounts = { 'command-api': 2, 'query-api': 2, uploader: 3, projector: 2, notifier: 2 };

const PORT_VARIABLE: Record<ClusterService, string> = {
  'command-api': 'COMMAND_API_PORT',
  'query-api': 'QUERY_API_PORT',
  uploader: 'UPLOADER_OPS_PORT',
  projector: 'PROJECTOR_OPS_PORT',
  notifier: 'NOTIFIER_OPS_PORT',
};

/** One copy of a service: its process, and where it answers `/healthz`, `/readyz`, `/metrics`. */
export interface ServiceInstance {
  readonly service: ClusterService;
  readonly name: string;
  readonly baseUrl: string;
  readonly child: ChildService;
}

export interface LocalClusterOptions {
  /** Every engine's state and the shared staging live under it. */
  readonly directory: string;
  readonly counts?: Partial<ClusterCounts>;
  /** An S3-compatible endpoint (the Ceph gateway, MinIO); unset: s3rver under `directory`. */
  readonly s3Endpoint?: string;
  readonly s3Credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Variables on top of the cluster's (OneSignal, tuning). */
  readonly env?: NodeJS.ProcessEnv;
  readonly log?: (line: string) => void;
}

export interface LocalCluster {
  /** The balancer's addresses: what phones (and operators) use. */
  readonly commandApi: string;
  readonly queryApi: string;
  /** Whichever Postgres is primary, through the balancer. */
  readonly databaseUrl: string;
  readonly natsUrl: string;
  readonly s3Endpoint: string;
  readonly bucket: string;
  readonly stream: string;
  /** HAProxy's Prometheus metrics (`/metrics`) and stats page (`/stats`). */
  readonly statsUrl: string;
  readonly nats: NatsCluster;
  readonly postgres: PostgresPair;
  readonly haproxy: ProcessHandle;
  readonly instances: readonly ServiceInstance[];
  /** The variables every service got (generated secrets included). */
  readonly env: NodeJS.ProcessEnv;
  /** Starts a stopped instance and waits for its `/healthz`, starting it again should it die meanwhile. */
  startInstance(instance: ServiceInstance, timeoutMs?: number): Promise<void>;
  startHaproxy(): Promise<void>;
  token(userId: string): Promise<string>;
  /** SIGTERM to every service (measured), then the balancer and the engines. */
  stop(): Promise<Record<string, ChildExit>>;
}

/**
 * The cluster on one machine, every process on loopback: three NATS servers with the jobs
 * stream replicated three times, a Postgres primary with a streaming replica behind HAProxy's
 * primary check, HAProxy round-robin in front of two command and two query APIs, three uploaders,
 * two projectors and two notifiers (one active each, by lease), and S3. Secrets are generated.
 */
export async function startLocalCluster(options: LocalClusterOptions): Promise<LocalCluster> {
  const log = options.log ?? (() => undefined);
  const counts: ClusterCounts = { ...DEFAULT_COUNTS, ...options.counts };
  const dir = (name: string) => path.join(options.directory, name);
  await mkdir(options.directory, { recursive: true });
  // Postgres runs as its own user (when we are root) and must reach its folders below this one.
  await chmod(options.directory, 0o755);
  const stoppers: (() => Promise<void>)[] = [];
  const instances: ServiceInstance[] = [];
  const stopEngines = async () => {
    for (const stop of stoppers.reverse()) await stop().catch(() => undefined);
  };
  try {
    const engines = await Promise.allSettled([startNatsCluster(dir('nats')), startPostgresPair(dir('postgres'))]);
    for (const engine of engines) if (engine.status === 'fulfilled') stoppers.push(() => engine.value.stop());
    const failed = engines.find((engine): engine is PromiseRejectedResult => engine.status === 'rejected');
    if (failed) throw failed.reason;
    const [nats, postgres] = engines.map((engine) => (engine as PromiseFulfilledResult<unknown>).value) as [NatsCluster, PostgresPair];
    log(`NATS cluster ${nats.url}; Postgres ${postgres.primary().name} primary, ${postgres.replica().name} streaming`);

    let s3Endpoint = options.s3Endpoint;
    if (!s3Endpoint) {
      const s3 = await startEmbeddedS3({ directory: dir('s3'), logger: createLogger('cluster-s3rver', 'warn') });
      stoppers.push(() => s3.stop());
      s3Endpoint = s3.endpoint;
    }
    const credentials = options.s3Credentials ?? { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

    for (const service of Object.keys(counts) as ClusterService[]) {
      for (let index = 1; index <= counts[service]; index += 1) {
        const port = await freePort();
        instances.push({ service, name: `${service}-${index}`, baseUrl: `http://127.0.0.1:${port}`, child: new ChildService(`${service}-${index}`, entryOf(service), { [PORT_VARIABLE[service]]: String(port) }) });
      }
    }
    const layout = {
      commandApiPort: await freePort(),
      queryApiPort: await freePort(),
      postgresPort: await freePort(),
      statsPort: await freePort(),
      commandApis: backendsOf(instances, 'command-api'),
      queryApis: backendsOf(instances, 'query-api'),
      postgres: postgres.nodes.map((node) => ({ name: node.name, port: node.port, checkPort: node.agentPort })),
    };
    const configFile = dir('haproxy.cfg');
    await writeFile(configFile, haproxyConfig(layout));
    const haproxy = new ProcessHandle('haproxy', process.env.HAPROXY_BIN ?? 'haproxy', ['-db', '-f', configFile]);
    const statsUrl = `http://127.0.0.1:${layout.statsPort}`;
    const startHaproxy = async () => {
      haproxy.start();
      await until(async () => (await httpStatus(`${statsUrl}/stats`)) === 200, 30_000, () => `haproxy did not start:\n${haproxy.output()}`);
    };
    await startHaproxy();
    stoppers.push(() => haproxy.stop());

    const databaseUrl = `postgres://postgres@127.0.0.1:${layout.postgresPort}/reelay`;
    const secret = randomBytes(32).toString('base64url');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATA_DIR: dir('data'),
      STAGING: `file://${dir('data/staging')}`,
      DATABASE_URL: databaseUrl,
      EVENT_STORE_URL: databaseUrl,
      NATS_URL: nats.url,
      NATS_JOBS_REPLICAS: String(Math.min(3, nats.nodes.length)),
      JOBS_STREAM: 'REELAY_JOBS',
      S3_ENDPOINT: s3Endpoint,
      S3_BUCKET: 'reelay-videos',
      S3_ACCESS_KEY_ID: credentials.accessKeyId,
      S3_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      S3_FORCE_PATH_STYLE: 'true',
      AUTH_JWT_SECRET: secret,
      PERSONAL_DATA_KEK: randomBytes(32).toString('base64'),
      QUERY_API_PUBLIC_URL: `http://127.0.0.1:${layout.queryApiPort}`,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ...options.env,
    };
    const postgresUp = () => until(async () => (await httpStatus(`${statsUrl}/stats`)) === 200 && (await postgres.replicaStreaming()), 30_000, () => 'no Postgres primary');
    await postgresUp();
    // The databases created and migrated once, not by eleven racing processes (what `npm start` does first).
    await until(
      async () => {
        await prepareEnvironment(loadConfig(env), createLogger('cluster', 'warn'));
        return true;
      },
      30_000,
      () => `could not prepare the database through HAProxy:\n${haproxy.output()}`,
    );
    for (const instance of instances) instance.child.setEnv({ ...env, [PORT_VARIABLE[instance.service]]: new URL(instance.baseUrl).port });

    const startInstance = async (instance: ServiceInstance, timeoutMs = 180_000) => {
      const deadline = Date.now() + timeoutMs;
      for (let starts = 0; ; ) {
        if (!instance.child.isRunning()) {
          if (starts > 0) log(`${instance.name} exited while starting; starting it again:\n${instance.child.output().slice(-1500)}`);
          instance.child.start();
          starts += 1;
        }
        if ((await httpStatus(`${instance.baseUrl}/healthz`)) === 200) return;
        if (Date.now() > deadline) throw new Error(`${instance.name} did not start:\n${instance.child.output()}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    };
    const cluster: LocalCluster = {
      commandApi: `http://127.0.0.1:${layout.commandApiPort}`,
      queryApi: `http://127.0.0.1:${layout.queryApiPort}`,
      databaseUrl,
      natsUrl: nats.url,
      s3Endpoint,
      bucket: env.S3_BUCKET ?? 'reelay-videos',
      stream: env.JOBS_STREAM ?? 'REELAY_JOBS',
      statsUrl,
      nats,
      postgres,
      haproxy,
      instances,
      env,
      startInstance,
      startHaproxy,
      token: (userId) => signToken(userId, { secret }),
      async stop() {
        const exits = await Promise.all(instances.map(async (instance) => [instance.name, await instance.child.stop()] as const));
        await stopEngines();
        return Object.fromEntries(exits);
      },
    };
    // A few at a time: eleven TypeScript services booting at once on two cores time each other out.
    for (let next = 0; next < instances.length; next += 4) await Promise.all(instances.slice(next, next + 4).map((instance) => startInstance(instance)));
    await until(async () => (await Promise.all(instances.map((i) => httpStatus(`${i.baseUrl}/readyz`)))).every((status) => status === 200), 120_000, () => 'the services did not become ready');
    log(`${instances.length} services ready: command API ${cluster.commandApi}, query API ${cluster.queryApi}`);
    return cluster;
  } catch (error) {
    // Copies already started must not outlive a cluster that failed to start.
    await Promise.all(instances.map((instance) => instance.child.kill()));
    await stopEngines();
    throw error;
  }
}

function entryOf(service: ClusterService): string {
  const entry = SERVICE_ENTRIES.find((candidate) => candidate.name === service);
  if (!entry) throw new Error(`no service ${service}`);
  return entry.entry;
}

function backendsOf(instances: readonly ServiceInstance[], service: ClusterService) {
  return instances.filter((instance) => instance.service === service).map((instance) => ({ name: instance.name, port: Number(new URL(instance.baseUrl).port) }));
}
