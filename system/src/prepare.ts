import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { migrateReadModel } from '@reelay/projector/readModel';
import { EMBEDDED_S3_CREDENTIALS, type Config, type Logger } from '@reelay/platform/core';
import { createKnex, ensureDatabase } from '@reelay/platform/postgres';
import { migrateCheckpoints, openEventStore } from '@reelay/event-store';

export interface PreparedEnvironment {
  /** Variables the services need on top of the caller's (the embedded S3's address). */
  readonly env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

/**
 * What `npm start` does before the services: databases created and migrated, and, when no
 * S3 endpoint is configured, an S3-compatible server (s3rver) on loopback under the data folder.
 */
export async function prepareEnvironment(config: Config, logger: Logger): Promise<PreparedEnvironment> {
  await (await openEventStore(config, { applicationName: 'reelay-start', maxConnections: 1 })).close();
  await ensureDatabase(config.DATABASE_URL);
  const knex = createKnex(config.DATABASE_URL, { max: 4 });
  await migrateReadModel(knex);
  await migrateCheckpoints(knex);
  await knex.destroy();

  if (config.S3_ENDPOINT) return { env: {}, stop: async () => undefined };
  const directory = path.join(config.DATA_DIR, 's3');
  await mkdir(directory, { recursive: true });
  const s3 = await loadEmbeddedS3().startEmbeddedS3({ directory, logger });
  logger.info({ endpoint: s3.endpoint, directory }, 'S3_ENDPOINT is unset: started the embedded S3 server (s3rver) on loopback');
  return {
    env: {
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY_ID: EMBEDDED_S3_CREDENTIALS.accessKeyId,
      S3_SECRET_ACCESS_KEY: EMBEDDED_S3_CREDENTIALS.secretAccessKey,
      S3_FORCE_PATH_STYLE: 'true',
    },
    stop: () => s3.stop(),
  };
}

/**
 * The embedded S3 is test machinery (`@reelay/testing`, with s3rver under it), a development
 * dependency: loaded only here, only when no S3 is configured, so that a production install
 * (`npm ci --omit=dev`), which has neither, still runs with S3_ENDPOINT set.
 */
function loadEmbeddedS3(): typeof import('@reelay/testing/embeddedS3') {
  try {
    require.resolve('s3rver');
    require.resolve('@reelay/testing/embeddedS3');
  } catch {
    throw new Error('S3_ENDPOINT is unset and the embedded S3 server (s3rver, a development dependency) is not installed: set S3_ENDPOINT');
  }
  return require('@reelay/testing/embeddedS3') as typeof import('@reelay/testing/embeddedS3');
}
