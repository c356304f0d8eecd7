import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { FileStagingStore, PersonalDataVault, createKnex, createMetricsRegistry, createTokenVerifier, signToken, type FileStagingStoreOptions, type Logger, type TokenVerifier } from '@reelay/platform';
import { createTestEventStore } from '@reelay/platform/testing';
import { buildCommandApp, type CommandApiLimits } from './app';

const SECRET = 'command-api-test-secret-0123456789abcdef';

export interface TestCommandApiOptions {
  readonly maxUploadBytes?: number;
  readonly limits?: Partial<CommandApiLimits>;
  readonly staging?: FileStagingStoreOptions;
  readonly verifier?: TokenVerifier;
  readonly logger?: Logger;
}

/** The command API on a real event store and a staging folder of its own, listening on loopback. */
export async function startTestCommandApi(options: TestCommandApiOptions = {}) {
  const events = await createTestEventStore();
  const stagingDir = await mkdtemp(path.join(os.tmpdir(), 'reelay-staging-'));
  const staging = new FileStagingStore(stagingDir, options.staging);
  const knex = createKnex(events.url, { max: 2 });
  const personalData = PersonalDataVault.fromConfig(knex, {});
  await personalData.migrate();
  const app = buildCommandApp({
    logger: options.logger ?? pino({ level: 'silent' }),
    metrics: createMetricsRegistry('command-api-test'),
    readiness: { 'event-store': () => events.pool.query('select 1') },
    verifier: options.verifier ?? createTokenVerifier({ AUTH_JWT_SECRET: SECRET }),
    store: events.store,
    staging,
    limits: {
      maxUploadBytes: options.maxUploadBytes ?? 10 * 1024 * 1024,
      maxConcurrentUploadsPerUser: 3,
      uploadIdleTimeoutMs: 60_000,
      rateLimit: { max: 1000, windowMs: 60_000 },
      ...options.limits,
    },
    queryApiUrl: 'http://query.test',
    personalData,
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    app,
    store: events.store,
    pool: events.pool,
    staging,
    stagingDir,
    /** Opens the sealed title and file name of recorded events, as the projector does. */
    personalData,
    tokenFor: (userId: string) => signToken(userId, { secret: SECRET }),
    /**
     * The type of every event stored, committed or not yet visible to a global reader: straight
     * from the table, so that "nothing was recorded" cannot pass on an event held back.
     */
    async allEvents(): Promise<string[]> {
      return (await events.pool.query<{ type: string }>('select type from event_log order by position')).rows.map((row) => row.type);
    },
    /** Every file in the staging folder, temporary ones included (which `staging.list()` hides). */
    async filesInStaging(): Promise<string[]> {
      return readdir(staging.directory).catch(() => []);
    },
    async dispose() {
      await app.close();
      await knex.destroy();
      await events.dispose();
      await rm(stagingDir, { recursive: true, force: true });
    },
  };
}
