import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { diskFullAfter } from '@reelay/testing';
import { FileStagingStore, StagingWriteFailed } from './fileStagingStore';
import { StagingBodyStalled, stagingRefName } from './stagingStore';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A body that sends `chunks`, one every `everyMs`, then ends (or goes quiet, if `thenStall`). */
function tricklingBody(chunks: Buffer[], everyMs: number, thenStall = false): Readable {
  const body = new Readable({ read() {} });
  void (async () => {
    for (const chunk of chunks) {
      body.push(chunk);
      await sleep(everyMs);
    }
    if (!thenStall) body.push(null);
  })();
  return body;
}

describe('FileStagingStore when a write cannot finish', () => {
  let directory: string;

  beforeEach(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), 'reelay-staging-failures-'));
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  const everything = () => readdir(path.join(directory, 'staging')).catch(() => []);

  it('gives up on a body that goes quiet, keeps nothing and leaves the body open for an answer', async () => {
    const store = new FileStagingStore(path.join(directory, 'staging'));
    const body = tricklingBody([randomBytes(1000)], 10, true);

    await expect(store.write('quiet', body, { maxBytes: 1e6, idleTimeoutMs: 200 })).rejects.toBeInstanceOf(StagingBodyStalled);

    expect(await everything()).toEqual([]);
    expect(body.destroyed).toBe(false);
    body.destroy();
  });

  it('does not give up on a slow body that keeps sending', async () => {
    const store = new FileStagingStore(path.join(directory, 'staging'));
    const chunks = Array.from({ length: 6 }, () => randomBytes(100));

    const staged = await store.write('slow', tricklingBody(chunks, 60), { maxBytes: 1e6, idleTimeoutMs: 200 });

    expect(staged.sizeBytes).toBe(600);
  });

  it('fails with StagingWriteFailed (cause ENOSPC) when the disk fills up, and removes the partial file', async () => {
    const store = new FileStagingStore(path.join(directory, 'staging'), { openPartial: diskFullAfter(64 * 1024) });
    const body = Readable.from(Array.from({ length: 8 }, () => randomBytes(32 * 1024)));

    const failure = store.write('too-much', body, { maxBytes: 1e9 });

    await expect(failure).rejects.toBeInstanceOf(StagingWriteFailed);
    await expect(failure).rejects.toMatchObject({ cause: { code: 'ENOSPC' } });
    expect(await everything()).toEqual([]);
  });

  it('lists complete files with when they were written, never temporary ones', async () => {
    const store = new FileStagingStore(path.join(directory, 'staging'));
    const before = Date.now();
    const staged = await store.write('complete', Readable.from([Buffer.from('bytes')]), { maxBytes: 100 });
    await writeFile(path.join(store.directory, '.other.abc.partial'), 'half');

    const entries = await store.listEntries();

    expect(entries).toEqual([{ ref: staged.ref, name: 'complete', modifiedAt: expect.any(Date) }]);
    expect(entries[0]?.modifiedAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(stagingRefName(staged.ref)).toBe('complete');
  });

  it('sweeps only partial files untouched for longer than asked', async () => {
    const store = new FileStagingStore(path.join(directory, 'staging'));
    await store.write('complete', Readable.from([Buffer.from('x')]), { maxBytes: 10 });
    const old = path.join(store.directory, '.crashed.abc.partial');
    const young = path.join(store.directory, '.writing.def.partial');
    await writeFile(old, 'half');
    await writeFile(young, 'half');
    const anHourAgo = new Date(Date.now() - 3_600_000);
    await utimes(old, anHourAgo, anHourAgo);

    expect(await store.removeStalePartials(60_000)).toBe(1);
    expect((await everything()).sort()).toEqual(['.writing.def.partial', 'complete']);
  });
});
