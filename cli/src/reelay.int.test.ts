import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { NewEvent } from '@reelay/contracts';
import { createTestEventStore, eventually } from '@reelay/testing';

/** The real `reelay` bin as a child process, against a Postgres event store of the test's own. */

type TestStore = Awaited<ReturnType<typeof createTestEventStore>>;

const BIN = path.join(__dirname, '..', 'bin', 'reelay.cjs');
const metadata = { correlationId: 'c', causationId: 'c', userId: 'u1' };

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

function reelay(t: TestStore, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, DATABASE_URL: t.url, EVENT_STORE_URL: t.url, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const jsonLines = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('the reelay bin', () => {
  let t: TestStore;
  const videoId = randomUUID();
  beforeAll(async () => {
    t = await createTestEventStore();
    const requested: NewEvent = { id: randomUUID(), type: 'VideoDeleted', data: { deletedBy: 'u1' }, metadata };
    await t.store.appendToStream(`video-${videoId}`, [requested, { ...requested, id: randomUUID() }], { expectedRevision: 'no_stream' });
    await t.store.appendToStream(`video-${randomUUID()}`, [{ id: randomUUID(), type: 'UploadStarted', data: { attempt: 1, bucket: 'b', objectKey: 'k' }, metadata }], {
      expectedRevision: 'no_stream',
    });
    await t.store.appendToStream(`video-${videoId}`, [{ ...requested, id: randomUUID() }], { expectedRevision: 1 });
  });
  afterAll(async () => {
    await t.dispose();
  });

  it("prints one video's history as JSON lines in revision order", async () => {
    const { code, stdout, stderr } = await reelay(t, ['stream', videoId, '--json']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const events = jsonLines(stdout);
    expect(events.map((e) => e.revision)).toEqual([0, 1, 2]);
    for (const e of events) {
      expect(e).toMatchObject({ type: 'VideoDeleted', streamName: `video-${videoId}`, data: { deletedBy: 'u1' }, metadata });
      expect(e.position).toMatch(/^\d+\/\d+$/);
      expect(Date.parse(String(e.recordedAt))).not.toBeNaN();
    }
  });

  it('prints a readable table without --json', async () => {
    const { code, stdout } = await reelay(t, ['stream', videoId]);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^REV\s+POSITION\s+RECORDED AT\s+TYPE\s+DATA$/);
    expect(lines).toHaveLength(4);
  });

  it('exits 1 with the reason on stderr for an unknown video', async () => {
    const unknown = randomUUID();
    const { code, stdout, stderr } = await reelay(t, ['stream', unknown]);
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr).toContain(`no video ${unknown}`);
  });

  it('replays the global log in order, filtered by type, from a position, up to a limit', async () => {
    const all = await eventually(async () => {
      const { code, stdout } = await reelay(t, ['log', '--json']);
      expect(code).toBe(0);
      const events = jsonLines(stdout);
      expect(events).toHaveLength(4);
      return events;
    });
    expect(all.map((e) => e.type)).toEqual(['VideoDeleted', 'VideoDeleted', 'UploadStarted', 'VideoDeleted']);
    const started = jsonLines((await reelay(t, ['log', '--json', '--type', 'UploadStarted'])).stdout);
    expect(started.map((e) => e.type)).toEqual(['UploadStarted']);
    const rest = jsonLines((await reelay(t, ['log', '--json', '--from', String(all[0]?.position), '--limit', '2'])).stdout);
    expect(rest.map((e) => e.position)).toEqual([all[1]?.position, all[2]?.position]);
  });

  it('exits 2 naming the variable when the configuration is bad', async () => {
    const { code, stderr } = await reelay(t, ['log'], { EVENT_STORE_URL: 'mysql://nope' });
    expect(code).toBe(2);
    expect(stderr).toContain('EVENT_STORE_URL');
  });

  it('seals the log, verifies it, and exits 1 at the first event edited behind the triggers', async () => {
    await eventually(async () => {
      const sealed = await reelay(t, ['seal']);
      expect(sealed.code).toBe(0);
      expect(sealed.stdout).toMatch(/4 events up to/);
    });
    const verified = await reelay(t, ['verify', 'log']);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/^verified: 4 events in 2 streams/);
    const sealHash = /hash ([0-9a-f]{64})/.exec(verified.stdout)?.[1] as string;
    expect((await reelay(t, ['verify', 'log', '--seal', sealHash])).code).toBe(0);
    expect((await reelay(t, ['verify', 'log', '--seal', 'ab'.repeat(32)])).code).toBe(1);

    const client = await t.pool.connect();
    try {
      await client.query('begin');
      await client.query('alter table event_log disable trigger user');
      await client.query(`update event_log set metadata = jsonb_set(metadata, '{userId}', '"someone-else"') where stream_name = $1 and revision = 1`, [`video-${videoId}`]);
      await client.query('alter table event_log enable trigger user');
      await client.query('commit');
    } finally {
      client.release();
    }
    const caught = await reelay(t, ['verify', 'log']);
    expect(caught.code).toBe(1);
    expect(caught.stdout).toBe('');
    expect(caught.stderr).toMatch(new RegExp(`event at \\d+/\\d+ \\(stream video-${videoId}, revision 1\\): its content does not match its hash`));
  });
});
