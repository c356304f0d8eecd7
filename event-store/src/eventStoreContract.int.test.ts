import { describe, it, expect } from '@jest/globals';
import pg from 'pg';
import { START } from '@reelay/contracts';
import { databaseName } from '@reelay/platform/postgres';
import { createTestEventStore } from '@reelay/testing';
import { eventStoreContract, subscriptionFollower, type EventStoreSubjectFactory } from './contract/eventStoreContract';
import { runTorture, type FollowLog, type TortureOptions } from './contract/torture';
import { EVENT_COLUMNS, rowToRecordedEvent, type EventRow } from './postgres/rows';

/** Ends every other session on the test's database: the pool's, the listener's, any query in flight. */
async function terminateSessions(url: string): Promise<void> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [databaseName(url)]);
  } finally {
    await admin.end();
  }
}

/** The Postgres adapter on a database of the test's own. The safety poll is a minute: only NOTIFY wakes it in time. */
const postgres: EventStoreSubjectFactory = async (options = {}) => {
  const { beforeCommit } = options;
  const t = await createTestEventStore({ safetyPollMs: 60_000, maxConnections: 20, appendHooks: beforeCommit ? { beforeCommit: () => beforeCommit() } : {} });
  return { store: t.store, interruptConnections: () => terminateSessions(t.url), dispose: t.dispose };
};

describe('the Postgres event store', () => {
  eventStoreContract(postgres);
});

/**
 * The reader every Postgres event store starts with and that Marten, Emmett and Axon each had to
 * fix: follow `position` (the sequence) alone. A row whose transaction took its sequence number
 * first but committed after a later one's is already behind the reader when it becomes visible.
 * Here only, to prove that the torture test catches it.
 */
function naiveSequenceReader(pool: pg.Pool): FollowLog {
  return (_from, onEvents) => {
    let stopped = false;
    let last = 0;
    const loop = (async () => {
      while (!stopped) {
        const { rows } = await pool.query<EventRow>(`select ${EVENT_COLUMNS} from event_log where position > $1 order by position limit 500`, [last]);
        const newest = rows[rows.length - 1];
        if (newest) {
          last = Number(newest.position);
          onEvents(rows.map(rowToRecordedEvent));
        } else {
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      }
    })();
    return {
      async stop() {
        stopped = true;
        await loop;
      },
    };
  };
}

describe('the torture test', () => {
  const torture = (streamPrefix: string): TortureOptions => ({ writers: 12, appendsPerWriter: 20, streams: 8, streamPrefix, maxPauseMs: 5, settleMs: 1500 });
  const delayInsideTransactions = () => new Promise<void>((resolve) => setTimeout(resolve, Math.random() * 25));

  it('fails a reader that orders by the sequence alone: it loses events that commit late', async () => {
    // Random timing: give the naive reader three chances to get lucky; it never gets all of them.
    const reports = [];
    for (let round = 0; round < 3; round += 1) {
      const t = await createTestEventStore({ maxConnections: 20, appendHooks: { beforeCommit: delayInsideTransactions } });
      try {
        const report = await runTorture(t.store, naiveSequenceReader(t.pool), START, torture('naive-'));
        reports.push(report);
        if (report.missing > 0 || report.streamsOutOfOrder.length > 0) break;
      } finally {
        await t.dispose();
      }
    }
    const last = reports[reports.length - 1];
    expect(last?.missing).toBeGreaterThan(0);
    expect(last?.duplicated).toBe(0);
  });

  it('passes the same run with the store’s own subscription, which reads below the snapshot’s xmin', async () => {
    const t = await createTestEventStore({ maxConnections: 20, appendHooks: { beforeCommit: delayInsideTransactions } });
    try {
      const report = await runTorture(t.store, subscriptionFollower(t.store, {}), START, { ...torture('xmin-'), settleMs: 15_000 });
      expect(report).toMatchObject({ missing: 0, duplicated: 0, streamsOutOfOrder: [], globalOrderBroken: false, delivered: report.appended });
    } finally {
      await t.dispose();
    }
  });
});

