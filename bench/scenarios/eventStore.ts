/**
 * The event store against raw Postgres on the same database, rows and durability
 * (`synchronous_commit` on, as everywhere here):
 * - appends per second with 1 and 8 writers (one event per append, at the exact expected
 *   revision, as the services append) against single-row INSERTs of the same rows into a copy of
 *   the log's table (same columns, defaults and indexes; no triggers);
 * - the same appends with every append serialised behind one global lock, the design the xmin
 *   reader was chosen over, against the same explicit transaction without the lock (so both
 *   make the same round trips);
 * - global reads per second (`readAll` pages and a catch-up subscription) against a raw
 *   `SELECT … ORDER BY position` of the same rows, and against a position-only read with the
 *   same row conversion (what serialised appends would allow), to price the xmin filter itself.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { START, type NewEvent, type Position } from '@reelay/contracts';
import { createPool } from '@reelay/platform';
import { EVENT_COLUMNS, PostgresEventStore, rowToRecordedEvent, type EventRow, type EventStore } from '@reelay/event-store';
import { createTestDatabase } from '@reelay/testing';
import { stats, type BenchRow, type Scenario } from '../scenario';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const APPEND_SECONDS = Number(process.env.BENCH_EVENT_STORE_SECONDS ?? 2);
const READ_EVENTS = Number(process.env.BENCH_EVENT_STORE_READ_EVENTS ?? 20_000);
const PAGE = 500;
const STREAM_LENGTH = 20;

const metadata = { correlationId: 'bench', causationId: 'bench', userId: 'bench' };
const data = { attempt: 1, uploadedBytes: 512 * 1024, totalBytes: 100 * 1024 * 1024, percentage: 0 };
const newEvent = (): NewEvent => ({ id: randomUUID(), type: 'ProgressReported', data, metadata });

/** Runs `writers` loops of `appendOne` for APPEND_SECONDS; appends (or rows) per second. */
async function throughput(writers: number, appendOne: (writer: number, count: number) => Promise<void>): Promise<number> {
  const until = performance.now() + APPEND_SECONDS * 1000;
  const started = performance.now();
  const counts = await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      let count = 0;
      while (performance.now() < until) {
        await appendOne(writer, count);
        count += 1;
      }
      return count;
    }),
  );
  return counts.reduce((a, b) => a + b, 0) / ((performance.now() - started) / 1000);
}

/** Each writer fills streams of its own, STREAM_LENGTH events each, at the exact expected revision. */
const storeAppender = (store: EventStore, run: string) => async (writer: number, count: number) => {
  const revision = count % STREAM_LENGTH;
  await store.appendToStream(`bench-${run}-${writer}-${Math.floor(count / STREAM_LENGTH)}`, [newEvent()], {
    expectedRevision: revision === 0 ? 'no_stream' : revision - 1,
  });
};

const rawAppender = (pool: pg.Pool, run: string) => async (writer: number, count: number) => {
  const event = newEvent();
  await pool.query(
    `insert into raw_log (event_id, stream_name, revision, type, schema_version, data, metadata) values ($1, $2, $3, $4, 1, $5, $6)`,
    [event.id, `bench-${run}-${writer}-${Math.floor(count / STREAM_LENGTH)}`, count % STREAM_LENGTH, event.type, JSON.stringify(event.data), JSON.stringify(event.metadata)],
  );
};

/** Events per second of reading the whole log, page by page. */
async function readRate(readPage: (after: Position) => Promise<readonly { position: Position }[]>): Promise<number> {
  const started = performance.now();
  let after = START;
  let read = 0;
  for (;;) {
    const page = await readPage(after);
    const last = page[page.length - 1];
    if (!last) break;
    read += page.length;
    after = last.position;
  }
  if (read < READ_EVENTS) throw new Error(`read ${read} of ${READ_EVENTS} events`);
  return read / ((performance.now() - started) / 1000);
}

async function subscriptionRate(store: EventStore): Promise<number> {
  const started = performance.now();
  let read = 0;
  let caughtUp!: () => void;
  const done = new Promise<void>((resolve) => (caughtUp = resolve));
  const subscription = store.subscribeToAll({
    from: START,
    batchSize: PAGE,
    handle: async (events) => {
      read += events.length;
      if (read >= READ_EVENTS) caughtUp();
    },
  });
  await done;
  const rate = read / ((performance.now() - started) / 1000);
  await subscription.stop();
  return rate;
}

const COLUMNS = EVENT_COLUMNS;

/** The position-only read serialised appends would allow, with the store's own row conversion. */
async function positionOnlyPage(pool: pg.Pool, after: Position) {
  const { rows } = await pool.query<EventRow>(`select ${COLUMNS} from event_log where position > $1 order by position limit ${PAGE}`, [after.prepare]);
  return rows.map(rowToRecordedEvent);
}

async function rawPage(pool: pg.Pool, after: Position) {
  const { rows } = await pool.query<{ position: number }>(`select ${COLUMNS} from raw_log where position > $1 order by position limit ${PAGE}`, [after.prepare]);
  return rows.map((row) => ({ position: { commit: '0', prepare: String(row.position) } }));
}

type Series = Record<string, number[]>;

function row(scenario: string, metric: string, unit: string, reelay: number[], baseline: number[], goal: string): BenchRow {
  const r = stats(reelay);
  const b = stats(baseline);
  return { scenario, metric, unit, reelay: r, baseline: b, ratio: r.median / b.median, goal };
}

export const eventStore: Scenario = {
  name: 'event-store',
  async run(): Promise<BenchRow[]> {
    const database = await createTestDatabase('reelay_bench_es');
    const pool = createPool(database.url, { max: 12, applicationName: 'bench-event-store' });
    const store = new PostgresEventStore(pool);
    // The alternative design: every append first takes one global lock, so appends commit in
    // sequence order and a reader may follow the sequence alone.
    const serialised = new PostgresEventStore(pool, {
      appendHooks: { afterBegin: async (client) => void (await client.query(`select pg_advisory_xact_lock(hashtext('bench.serialised.appends'))`)) },
    });
    // Its like-for-like comparator: the same explicit transaction and one statement more, minus the lock.
    const unserialised = new PostgresEventStore(pool, { appendHooks: { afterBegin: async (client) => void (await client.query('select 1')) } });
    const series: Series = {};
    const record = (key: string, value: number) => {
      series[key] ??= [];
      series[key].push(value);
    };
    try {
      await store.migrate();
      await pool.query('create table raw_log (like event_log including all)');

      for (let round = 0; round < ROUNDS; round += 1) {
        for (const writers of [1, 8]) {
          const run = `${round}-${writers}`;
          record(`xmin-${writers}`, await throughput(writers, storeAppender(store, `x${run}`)));
          record(`serialised-${writers}`, await throughput(writers, storeAppender(serialised, `s${run}`)));
          record(`unserialised-${writers}`, await throughput(writers, storeAppender(unserialised, `u${run}`)));
          record(`raw-${writers}`, await throughput(writers, rawAppender(pool, `r${run}`)));
        }
      }

      // The global read, over a log of READ_EVENTS events and a raw copy of the same rows.
      const readLog = await createTestDatabase('reelay_bench_es_read');
      const readPool = createPool(readLog.url, { max: 4, applicationName: 'bench-event-store-read' });
      const readStore = new PostgresEventStore(readPool);
      try {
        await readStore.migrate();
        for (let appended = 0; appended < READ_EVENTS; appended += 100) {
          await readStore.appendToStream(`read-${appended}`, Array.from({ length: Math.min(100, READ_EVENTS - appended) }, newEvent), { expectedRevision: 'no_stream' });
        }
        await readPool.query('create table raw_log (like event_log including all)');
        await readPool.query(`insert into raw_log overriding system value select * from event_log`);
        await readPool.query('vacuum analyze event_log');
        await readPool.query('vacuum analyze raw_log');
        for (let round = 0; round < ROUNDS; round += 1) {
          record('read-all', await readRate((after) => readStore.readAll({ from: after, limit: PAGE })));
          record('read-subscription', await subscriptionRate(readStore));
          record('read-position-only', await readRate((after) => positionOnlyPage(readPool, after)));
          record('read-raw', await readRate((after) => rawPage(readPool, after)));
        }
      } finally {
        await readStore.close();
        await readPool.end();
        await readLog.drop();
      }
    } finally {
      await store.close();
      await serialised.close();
      await unserialised.close();
      await pool.end();
      await database.drop();
    }

    const s = (key: string) => series[key] ?? [];
    return [
      row('event store: appends, 1 writer', 'appendToStream vs raw single-row INSERT', 'appends/s', s('xmin-1'), s('raw-1'), 'report'),
      row('event store: appends, 8 writers', 'appendToStream vs raw single-row INSERT', 'appends/s', s('xmin-8'), s('raw-8'), 'report'),
      row('event store: serialised appends, 1 writer', 'one global lock per append vs raw INSERT', 'appends/s', s('serialised-1'), s('raw-1'), 'report'),
      row('event store: serialised appends, 8 writers', 'one global lock per append vs raw INSERT', 'appends/s', s('serialised-8'), s('raw-8'), 'report'),
      row('event store: xmin vs serialised, 1 writer', 'parallel appends (xmin reader) vs serialised, same round trips', 'appends/s', s('unserialised-1'), s('serialised-1'), '≈ 1×'),
      row('event store: xmin vs serialised, 8 writers', 'parallel appends (xmin reader) vs serialised, same round trips', 'appends/s', s('unserialised-8'), s('serialised-8'), '> 1× to justify xmin'),
      row(`event store: global read of ${READ_EVENTS} events`, 'readAll pages vs raw SELECT by position', 'events/s', s('read-all'), s('read-raw'), 'report'),
      row(`event store: global read of ${READ_EVENTS} events`, 'catch-up subscription vs raw SELECT by position', 'events/s', s('read-subscription'), s('read-raw'), 'report'),
      row(`event store: global read of ${READ_EVENTS} events`, 'readAll (xmin) vs position-only read, same row conversion', 'events/s', s('read-all'), s('read-position-only'), '≈ 1×: the xmin filter is cheap'),
    ];
  },
};
