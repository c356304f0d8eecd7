import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { signToken } from '@reelay/platform/auth';
import { createTestDatabase, startThrottlingProxy, testS3Endpoint, testS3Env, uniqueBucketName, uniqueName, type TcpProxy } from '@reelay/testing';
import { startOneSignalStandIn, type OneSignalStandIn } from '@reelay/notifier/testing';
import { startSystem, type RunningSystem } from '../e2e/runningSystem';

export { startSystem, type RunningSystem };

export interface TestSystemOptions {
  /** Send pushes to a loopback OneSignal stand-in (read its `requests`); otherwise they go to the log. */
  readonly oneSignal?: boolean;
  /** Slow the uploader's S3 traffic to this many bytes a second, so an upload is seen in flight. */
  readonly s3BytesPerSecond?: number;
  /** Where the services reach S3 (a fault proxy, say); unset: the shared s3rver of jest's global setup. */
  readonly s3Endpoint?: string;
  /** Sign tokens with this secret; unset: the development secret, as a bare `npm start`. */
  readonly secret?: string;
  /** More variables for the services. */
  readonly env?: NodeJS.ProcessEnv;
}

export interface TestSystem {
  readonly system: RunningSystem;
  readonly oneSignal: OneSignalStandIn | undefined;
  /** The bucket videos are stored in, on the S3 server of jest's global setup. */
  readonly bucket: string;
  /** The variables the services were started with (besides ports and DATA_DIR), for running the CLI on the same system. */
  readonly env: NodeJS.ProcessEnv;
  /** A bearer token for `userId`, as `npm run token` would print it. */
  tokenFor(userId: string): Promise<string>;
  /** Stops the system and removes its database, stream and stand-ins; resolves with the launcher's exit code. */
  dispose(): Promise<number | null>;
}

/**
 * The whole system as `npm start` runs it (see startSystem), on a database, JetStream stream and
 * bucket of the test's own, with the shared s3rver of jest's global setup behind it.
 */
export async function startTestSystem(options: TestSystemOptions = {}): Promise<TestSystem> {
  const database = await createTestDatabase('reelay_sys');
  const stream = uniqueName('SYS');
  const oneSignal = options.oneSignal ? await startOneSignalStandIn() : undefined;
  const proxy: (TcpProxy & { url: string }) | undefined = options.s3BytesPerSecond
    ? await startThrottlingProxy(options.s3Endpoint ?? testS3Endpoint(), { bytesPerSecond: options.s3BytesPerSecond })
    : undefined;
  const bucket = uniqueBucketName('reelay-sys');
  const env: NodeJS.ProcessEnv = {
    DATABASE_URL: database.url,
    JOBS_STREAM: stream,
    ...testS3Env(proxy?.url ?? options.s3Endpoint ?? testS3Endpoint()),
    S3_BUCKET: bucket,
    PROGRESS_INTERVAL_MS: '200',
    RATE_LIMIT_MAX: '100000',
    ...(oneSignal ? { ONESIGNAL_APP_ID: 'test-app', ONESIGNAL_API_KEY: 'test-key', ONESIGNAL_API_URL: oneSignal.url } : {}),
    ...(options.secret ? { AUTH_JWT_SECRET: options.secret } : {}),
    ...options.env,
  };
  let system: RunningSystem;
  try {
    system = await startSystem(env);
  } catch (error) {
    await proxy?.close();
    await oneSignal?.close();
    await database.drop();
    throw error;
  }
  return {
    system,
    oneSignal,
    bucket,
    env,
    tokenFor: (userId) => signToken(userId, { secret: options.secret }),
    async dispose() {
      const code = await system.stop();
      await proxy?.close();
      await oneSignal?.close();
      await database.drop();
      const nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
      await (await jetstreamManager(nc)).streams.delete(stream).catch(() => undefined);
      await nc.close();
      return code;
    },
  };
}

/** Sends `body` to `POST /v1/videos` as the mobile app does and returns the command API's answer. */
export function postVideo(system: RunningSystem, token: string, body: Uint8Array, meta: { title: string; fileName: string }): Promise<Response> {
  const query = `title=${encodeURIComponent(meta.title)}&fileName=${encodeURIComponent(meta.fileName)}`;
  return fetch(`${system.commandApi}/v1/videos?${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'video/mp4' },
    body,
  });
}

/** The query API's view of one video, or undefined while it answers 404 (the projector's lag, as API.md allows). */
export async function readVideo<Body = { status: string }>(system: RunningSystem, token: string, videoId: string): Promise<Body | undefined> {
  const response = await fetch(`${system.queryApi}/v1/videos/${videoId}`, { headers: { authorization: `Bearer ${token}` } });
  if (response.status === 404) {
    await response.arrayBuffer();
    return undefined;
  }
  if (response.status !== 200) throw new Error(`GET /v1/videos/${videoId} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as Body;
}
