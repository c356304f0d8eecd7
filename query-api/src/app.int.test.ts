import { describe, it, expect } from '@jest/globals';
import { createKnex, createLogger, loadConfig } from '@reelay/platform';
import { createTestDatabase } from '@reelay/testing';
import { buildQueryApp } from './app';
import { startQueryApi } from './server';
import { createQueryApiTestContext } from './testing/queryApiTestContext';

describe('the query API service', () => {
  it('is ready and serves metrics once the read model exists', async () => {
    const context = await createQueryApiTestContext();
    try {
      expect((await fetch(`${context.baseUrl}/healthz`)).status).toBe(200);
      expect((await fetch(`${context.baseUrl}/readyz`)).status).toBe(200);
      const metrics = await fetch(`${context.baseUrl}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain('reelay_query_long_polls_waiting');
    } finally {
      await context.dispose();
    }
  });

  it('is not ready, and says why, while the read model has not been migrated', async () => {
    const database = await createTestDatabase();
    const knex = createKnex(database.url, { max: 2 });
    const app = buildQueryApp({ config: loadConfig({ DATABASE_URL: database.url }), logger: createLogger('query-api-test', 'silent'), knex });
    try {
      const response = await app.inject({ method: 'GET', url: '/readyz' });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toMatchObject({ status: 503, detail: expect.stringContaining('read model') });
    } finally {
      await app.close();
      await knex.destroy();
      await database.drop();
    }
  });

  it('starts as a process on QUERY_API_PORT and stops cleanly', async () => {
    const database = await createTestDatabase();
    const service = await startQueryApi(loadConfig({ DATABASE_URL: database.url, HOST: '127.0.0.1', QUERY_API_PORT: '0' }), createLogger('query-api-test', 'silent'));
    try {
      expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${service.url}/v1/users/me/videos`)).status).toBe(401);
    } finally {
      await service.stop();
      await database.drop();
    }
  });
});
