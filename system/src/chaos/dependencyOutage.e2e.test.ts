import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { eventually, startPrivateNats, startPrivatePostgres, testS3Endpoint, type PrivateNats, type PrivatePostgres } from '@reelay/testing';
import { SERVICE_NAMES, startChaosSystem, type ChaosSystem, type ServiceName } from './chaosSystem';
import { openOutcomeSources } from './outcomeSources';
import { randomVideo, sendVideo, type SentVideo } from './phone';
import { isClean, verifyOutcome } from './verifyOutcome';

/** Which services need NATS: the command API (its job relay) and the uploader. */
const NEED_NATS: readonly ServiceName[] = ['command-api', 'uploader'];

describe('Postgres and NATS restarted during a run of uploads', () => {
  let postgres: PrivatePostgres;
  let nats: PrivateNats;
  let system: ChaosSystem;

  beforeAll(async () => {
    [postgres, nats] = await Promise.all([startPrivatePostgres(), startPrivateNats()]);
    system = await startChaosSystem({ databaseUrl: postgres.url('reelay'), natsUrl: nats.url, s3Endpoint: testS3Endpoint() });
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
    await Promise.all([postgres?.dispose(), nats?.dispose()]);
  }, 60_000);

  /** The services' own warnings, for a failure to name its cause. */
  const withServiceLogs = async <T>(work: Promise<T>): Promise<T> => {
    try {
      return await work;
    } catch (error) {
      const logs = SERVICE_NAMES.map((name) => `--- ${name}:\n${system.service(name).output().slice(-4000)}`).join('\n');
      throw new Error(`${(error as Error).message}\n${logs}`);
    }
  };

  const readyStatuses = async (names: readonly ServiceName[]) => Object.fromEntries(await Promise.all(names.map(async (n) => [n, await system.readyStatus(n)])));
  const allAre = (names: readonly ServiceName[], status: number) => Object.fromEntries(names.map((n) => [n, status]));

  it('reports 503 on /readyz while a dependency is down, reconnects by itself, and ends every upload UPLOADED with one push', async () => {
    const sent: Array<Promise<SentVideo>> = [];
    const upload = async (userId: string) => sendVideo(system.commandApi, await system.token(userId), userId, randomVideo(64 * 1024 + Math.floor(Math.random() * 256 * 1024)));
    const wave = (label: string, count: number) => {
      for (let i = 0; i < count; i += 1) sent.push(upload(`${label}-user-${i % 4}`));
    };

    wave('before', 6);
    await system.untilReady();

    await postgres.stop('fast');
    wave('pg-down', 4);
    await eventually(async () => expect(await readyStatuses(SERVICE_NAMES)).toEqual(allAre(SERVICE_NAMES, 503)), 20_000, 200);
    // What the phone is told meanwhile: 503, a problem it may retry, not a 500.
    const token = await system.token('outage-user');
    const refused = await fetch(`${system.commandApi}/v1/videos?title=t&fileName=t.mp4`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'video/mp4' },
      body: randomVideo(16 * 1024),
    });
    expect([refused.status, refused.headers.get('content-type')]).toEqual([503, expect.stringContaining('application/problem+json')]);
    const unreadable = await fetch(`${system.queryApi}/v1/users/me/videos`, { headers: { authorization: `Bearer ${token}` } });
    expect([unreadable.status, unreadable.headers.get('content-type')]).toEqual([503, expect.stringContaining('application/problem+json')]);
    await postgres.start();
    await eventually(async () => expect(await readyStatuses(SERVICE_NAMES)).toEqual(allAre(SERVICE_NAMES, 200)), 60_000, 200);

    wave('between', 4);
    await nats.stop('SIGKILL');
    wave('nats-down', 4);
    await eventually(async () => expect(await readyStatuses(NEED_NATS)).toEqual(allAre(NEED_NATS, 503)), 20_000, 200);
    await nats.start();
    await eventually(async () => expect(await readyStatuses(SERVICE_NAMES)).toEqual(allAre(SERVICE_NAMES, 200)), 60_000, 200);
    wave('after', 4);

    const videos = await withServiceLogs(Promise.all(sent));
    const sources = await openOutcomeSources({ databaseUrl: system.databaseUrl, s3Endpoint: testS3Endpoint(), bucket: system.bucket, oneSignal: system.oneSignal });
    try {
      await withServiceLogs(
        eventually(async () => {
          const outcome = await verifyOutcome(videos, sources);
          if (!isClean(outcome)) throw new Error(JSON.stringify(outcome));
          // An outage alone must fail no video: a FAILED one says why, and what the services logged.
          if (outcome.uploaded !== videos.length) throw new Error(`not every video UPLOADED: ${JSON.stringify(outcome)}`);
        }, 120_000, 500),
      );
    } finally {
      await sources.close();
    }
  }, 300_000);

  it('loses no upload whose job meets a Postgres outage longer than the uploader allows attempts for', async () => {
    const token = await system.token('long-outage');
    const videos = await Promise.all(Array.from({ length: 8 }, () => sendVideo(system.commandApi, token, 'long-outage', randomVideo(512 * 1024))));
    await postgres.stop('fast');
    // Every job now fails on its first read, delivery after delivery.
    await new Promise((resolve) => setTimeout(resolve, 15_000));
    await postgres.start();
    await system.untilReady();
    const sources = await openOutcomeSources({ databaseUrl: system.databaseUrl, s3Endpoint: testS3Endpoint(), bucket: system.bucket, oneSignal: system.oneSignal });
    try {
      await withServiceLogs(
        eventually(async () => {
          const outcome = await verifyOutcome(videos, sources);
          if (!isClean(outcome)) throw new Error(JSON.stringify(outcome));
        }, 120_000, 1000),
      );
    } finally {
      await sources.close();
    }
  }, 240_000);
});
