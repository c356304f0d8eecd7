import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import pg from 'pg';
import { connect } from '@nats-io/transport-node';
import { startPrivatePostgres, type PrivatePostgres } from './privatePostgres';
import { startPrivateNats, type PrivateNats } from './privateNats';

describe('private servers for outage tests', () => {
  let postgres: PrivatePostgres;
  let nats: PrivateNats;

  beforeAll(async () => {
    [postgres, nats] = await Promise.all([startPrivatePostgres(), startPrivateNats()]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([postgres?.dispose(), nats?.dispose()]);
  });

  it('a private Postgres keeps its data across a restart and refuses connections while stopped', async () => {
    const client = new pg.Client({ connectionString: postgres.url('postgres') });
    await client.connect();
    await client.query('create table kept (n int)');
    await client.query('insert into kept values (42)');
    await client.end();

    await postgres.stop('immediate');
    const refused = new pg.Client({ connectionString: postgres.url('postgres') });
    refused.on('error', () => undefined);
    await expect(refused.connect()).rejects.toThrow();
    await postgres.start();

    const again = new pg.Client({ connectionString: postgres.url('postgres') });
    await again.connect();
    expect((await again.query('select n from kept')).rows).toEqual([{ n: 42 }]);
    await again.end();
  });

  it('a private NATS server comes back on the same port after a crash', async () => {
    await nats.stop('SIGKILL');
    await expect(connect({ servers: nats.url, reconnect: false })).rejects.toThrow();
    await nats.start();
    const nc = await connect({ servers: nats.url });
    expect(nc.info?.jetstream).toBe(true);
    await nc.close();
  });
});
