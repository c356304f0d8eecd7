import { describe, it, expect, beforeEach, afterEach, jest } from '@jest/globals';
import pg from 'pg';
import pino from 'pino';
import { ERRORS, type Lock } from '@tus/utils';
import { createTestDatabase, eventually } from '@reelay/testing';
import { PostgresLocker } from './postgresLocker';

const UPLOAD = '3f0c2d4e-9a1b-4c5d-8e7f-0a1b2c3d4e5f-0badcafe';

/** A lock request whose outcome can be looked at while it is still pending. */
function attempt(lock: Lock, signal: AbortSignal, requestRelease: () => void = () => undefined) {
  const state: { settled: boolean; error?: unknown } = { settled: false };
  const done = lock.lock(signal, requestRelease).then(
    () => {
      state.settled = true;
    },
    (error: unknown) => {
      state.settled = true;
      state.error = error;
    },
  );
  return { state, done };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Two lockers on one database are two command API processes.
describe('PostgresLocker', () => {
  let database: { url: string; drop: () => Promise<void> };
  let admin: pg.Client;
  let a: PostgresLocker;
  let b: PostgresLocker;
  beforeEach(async () => {
    database = await createTestDatabase('reelay_tus_locks');
    admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    const logger = pino({ level: 'silent' });
    a = new PostgresLocker({ connectionString: database.url, logger, applicationName: 'locker-a' });
    b = new PostgresLocker({ connectionString: database.url, logger, applicationName: 'locker-b' });
    await Promise.all([a.start(), b.start()]);
  });
  afterEach(async () => {
    await Promise.all([a.stop(), b.stop()]);
    await admin.end();
    await database.drop();
  });

  /** The backend holding an advisory lock, by application name. */
  const advisoryHolders = async () =>
    (
      await admin.query<{ pid: number; application_name: string }>(
        `select l.pid, a.application_name from pg_locks l join pg_stat_activity a using (pid) where l.locktype = 'advisory' and l.granted and l.database = (select oid from pg_database where datname = current_database())`,
      )
    ).rows;

  it('lets one process at a time hold an upload, and other uploads stay free', async () => {
    await a.newLock(UPLOAD).lock(new AbortController().signal, () => undefined);

    const second = attempt(b.newLock(UPLOAD), AbortSignal.timeout(300));
    await second.done;
    await b.newLock(`${UPLOAD.slice(0, -8)}00000000`).lock(new AbortController().signal, () => undefined);

    expect(second.state.error).toBe(ERRORS.ERR_LOCK_TIMEOUT);
    expect((await advisoryHolders()).map((row) => row.application_name).sort()).toEqual(['locker-a', 'locker-b']);
  });

  it('lets one request at a time hold an upload within a process too', async () => {
    const first = a.newLock(UPLOAD);
    await first.lock(new AbortController().signal, () => undefined);

    const second = attempt(a.newLock(UPLOAD), new AbortController().signal);
    await sleep(300);
    expect(second.state.settled).toBe(false);
    await first.unlock();
    await second.done;

    expect(second.state.error).toBeUndefined();
  });

  it('gives the upload to the process waiting for it once the holder unlocks', async () => {
    const held = a.newLock(UPLOAD);
    await held.lock(new AbortController().signal, () => undefined);
    const waiting = attempt(b.newLock(UPLOAD), new AbortController().signal);
    await sleep(300);
    expect(waiting.state.settled).toBe(false);

    await held.unlock();
    await waiting.done;

    expect(waiting.state.error).toBeUndefined();
    expect((await advisoryHolders()).map((row) => row.application_name)).toEqual(['locker-b']);
  });

  it('asks the holder in another process to release when a request there wants the upload', async () => {
    const held = a.newLock(UPLOAD);
    const requestRelease = jest.fn(async () => {
      // What @tus/server does: the holding request ends, and its handler unlocks.
      await held.unlock();
    });
    await held.lock(new AbortController().signal, requestRelease);

    const started = Date.now();
    await b.newLock(UPLOAD).lock(new AbortController().signal, () => undefined);

    expect(requestRelease).toHaveBeenCalled();
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("fails with tus's lock timeout when the waiting request's stop signal aborts", async () => {
    await a.newLock(UPLOAD).lock(new AbortController().signal, () => undefined);
    const stop = new AbortController();
    const waiting = attempt(b.newLock(UPLOAD), stop.signal);
    await sleep(200);

    stop.abort();
    await waiting.done;

    expect(waiting.state.error).toBe(ERRORS.ERR_LOCK_TIMEOUT);
    expect((await advisoryHolders()).map((row) => row.application_name)).toEqual(['locker-a']);
  });

  it("frees the upload when the holder's connection is killed, tells the holder, and reconnects", async () => {
    const held = a.newLock(UPLOAD);
    const requestRelease = jest.fn<() => void>();
    await held.lock(new AbortController().signal, requestRelease);
    const [holder] = await advisoryHolders();

    await admin.query('select pg_terminate_backend($1)', [holder?.pid]);
    await b.newLock(UPLOAD).lock(AbortSignal.timeout(5_000), () => undefined);

    expect(requestRelease).toHaveBeenCalled();
    await expect(held.unlock()).resolves.toBeUndefined();
    expect((await advisoryHolders()).map((row) => row.application_name)).toEqual(['locker-b']);
    // The killed process opens a new connection and takes locks again.
    await eventually(async () => {
      await a.newLock('another-upload').lock(AbortSignal.timeout(1_000), () => undefined);
    });
    await eventually(async () => expect((await advisoryHolders()).map((row) => row.application_name).sort()).toEqual(['locker-a', 'locker-b']));
  });
});
