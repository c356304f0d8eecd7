import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import type { Knex } from 'knex';
import { createKnex } from '../postgres/database';
import { createLogger } from '../logging/logger';
import { createTestDatabase, eventually } from '@reelay/testing';
import { LeaseLost, assertLeaseHeld, migrateLeases, readLease, releaseLease, renewLease, tryAcquireLease } from './leaseTable';
import { runWhileLeaseHeld, type LeaseRunner } from './runWhileLeaseHeld';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a lease row', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let knex: Knex;
  beforeEach(async () => {
    database = await createTestDatabase();
    knex = createKnex(database.url, { max: 6 });
    await migrateLeases(knex);
  });
  afterEach(async () => {
    await knex.destroy();
    await database.drop();
  });

  it('has one holder at a time, and passes to another only once it expires, with a higher token', async () => {
    const first = await tryAcquireLease(knex, 'job', 'a', 300);
    expect(first).toEqual({ name: 'job', holder: 'a', token: 1 });
    expect(await tryAcquireLease(knex, 'job', 'b', 300)).toBeUndefined();
    expect(await tryAcquireLease(knex, 'other job', 'b', 300)).toMatchObject({ holder: 'b' });
    await pause(400);
    expect(await tryAcquireLease(knex, 'job', 'b', 300)).toEqual({ name: 'job', holder: 'b', token: 2 });
    expect(await readLease(knex, 'job')).toMatchObject({ holder: 'b', token: 2, held: true });
  });

  it('stays with a holder that renews it, and refuses renewal to one that lost it', async () => {
    const a = (await tryAcquireLease(knex, 'job', 'a', 300))!;
    for (let i = 0; i < 4; i += 1) {
      await pause(150);
      expect(await renewLease(knex, a, 300)).toBe(true);
    }
    expect(await tryAcquireLease(knex, 'job', 'b', 300)).toBeUndefined();
    await pause(400);
    expect(await tryAcquireLease(knex, 'job', 'b', 300)).toBeDefined();
    expect(await renewLease(knex, a, 300)).toBe(false);
  });

  it('fences a holder that lost its lease: its transaction throws LeaseLost instead of writing', async () => {
    const a = (await tryAcquireLease(knex, 'job', 'a', 200))!;
    await knex.transaction((trx) => assertLeaseHeld(trx, a));
    await pause(300);
    await tryAcquireLease(knex, 'job', 'b', 5000);
    await expect(knex.transaction((trx) => assertLeaseHeld(trx, a))).rejects.toBeInstanceOf(LeaseLost);
  });

  it('makes a takeover wait until the holder’s fenced transaction has committed', async () => {
    const a = (await tryAcquireLease(knex, 'job', 'a', 200))!;
    const order: string[] = [];
    const batch = knex.transaction(async (trx) => {
      await assertLeaseHeld(trx, a);
      await pause(500); // the lease expires meanwhile
      order.push('batch committed');
    });
    await pause(300);
    const takeover = tryAcquireLease(knex, 'job', 'b', 5000).then((claim) => order.push(claim ? 'taken over' : 'refused'));
    await Promise.all([batch, takeover]);
    expect(order).toEqual(['batch committed', 'taken over']);
  });

  it('can be let go at once', async () => {
    const a = (await tryAcquireLease(knex, 'job', 'a', 60_000))!;
    await releaseLease(knex, a);
    expect(await tryAcquireLease(knex, 'job', 'b', 60_000)).toMatchObject({ holder: 'b', token: 2 });
  });
});

describe('work run while a lease is held', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  const pools: Knex[] = [];
  const runners: LeaseRunner[] = [];
  const logger = createLogger('lease-test', 'silent');
  beforeEach(async () => {
    database = await createTestDatabase();
  });
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((runner) => runner.stop()));
    await Promise.all(pools.splice(0).map((pool) => pool.destroy()));
    await database.drop();
  });

  /** One contender with a pool of its own; `active` says whether its work is running. */
  async function contender(name: string) {
    const knex = createKnex(database.url, { max: 2 });
    pools.push(knex);
    await migrateLeases(knex);
    const state = { active: false, starts: 0 };
    const runner = runWhileLeaseHeld({
      knex,
      name: 'job',
      logger: logger.child({ contender: name }),
      ttlMs: 600,
      start: () => {
        state.active = true;
        state.starts += 1;
        return {
          stop: async () => {
            state.active = false;
          },
        };
      },
    });
    runners.push(runner);
    return { knex, runner, state };
  }

  it('runs on one contender at a time and hands over at once when the holder stops cleanly', async () => {
    const a = await contender('a');
    await eventually(() => expect(a.runner.isHeld()).toBe(true));
    const b = await contender('b');
    await pause(400);
    expect([a.state.active, b.state.active]).toEqual([true, false]);
    const stoppedAt = Date.now();
    await a.runner.stop();
    await eventually(() => expect(b.state.active).toBe(true));
    expect(Date.now() - stoppedAt).toBeLessThan(600);
    expect(a.state.active).toBe(false);
  });

  it('moves to the standby within the TTL when the holder can no longer reach the database', async () => {
    const a = await contender('a');
    await eventually(() => expect(a.runner.isHeld()).toBe(true));
    const b = await contender('b');
    await a.knex.destroy(); // a is cut off: it can neither renew nor write
    const cutAt = Date.now();
    await eventually(() => expect(b.state.active).toBe(true), 5000);
    expect(Date.now() - cutAt).toBeLessThan(600 + 500);
    await eventually(() => expect(a.state.active).toBe(false), 5000);
  });
});
