import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, readdir, rm, writeFile, type FileHandle } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { InvalidStagingRef, FileStagingStore, StagingBodyCutOff } from './fileStagingStore';
import { createStagingStore } from './createStagingStore';
import { UploadTooLarge } from './stagingStore';

class NotAVideo extends Error {
  override readonly name = 'NotAVideo';
}

/** A body that yields `chunks` and then fails, like a socket that breaks. */
function failingBody(chunks: Buffer[], error: Error): Readable {
  return Readable.from(
    (async function* () {
      for (const chunk of chunks) yield chunk;
      throw error;
    })(),
  );
}

describe('FileStagingStore', () => {
  let directory: string;
  let store: FileStagingStore;

  beforeEach(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), 'reelay-platform-staging-'));
    store = new FileStagingStore(path.join(directory, 'staging'));
  });

  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  const filesOnDisk = () => readdir(store.directory).catch(() => []);

  // What every store does (sizes, hashes, heads, limits, removal) is the contract suite's
  // (stagingStoreContract.ts, run on this store too); here is what only a folder on disk has.
  it('names a staged file by its path, file://<directory>/<name>', async () => {
    const staged = await store.write('video-1', Readable.from([randomBytes(5000)]), { maxBytes: 10_000 });

    expect(staged.ref).toBe(`file://${path.join(store.directory, 'video-1')}`);
    expect(await filesOnDisk()).toEqual(['video-1']);
  });

  it('shows inspectHead a body shorter than 4 KiB when it ends', async () => {
    const heads: Buffer[] = [];
    const staged = await store.write('tiny', Readable.from([Buffer.from('tiny')]), { maxBytes: 100, inspectHead: (h) => heads.push(h) });

    expect(heads).toEqual([Buffer.from('tiny')]);
    expect(staged.sizeBytes).toBe(4);
  });

  it('rejects a body over maxBytes with UploadTooLarge and leaves nothing', async () => {
    const body = Readable.from([randomBytes(600), randomBytes(600)]);

    await expect(store.write('too-large', body, { maxBytes: 1000 })).rejects.toBeInstanceOf(UploadTooLarge);

    expect(await filesOnDisk()).toEqual([]);
    expect(await store.list()).toEqual([]);
  });

  it('removes the partial file when the body errors midway', async () => {
    const body = failingBody([randomBytes(64 * 1024), randomBytes(64 * 1024)], new Error('connection reset'));

    const failure = store.write('cut', body, { maxBytes: 1e9 });

    await expect(failure).rejects.toBeInstanceOf(StagingBodyCutOff);
    await expect(failure).rejects.toMatchObject({ cause: { message: 'connection reset' } });
    expect(await filesOnDisk()).toEqual([]);
  });

  it('removes the partial file when an HTTP request body is cut off', async () => {
    let settle: (outcome: unknown) => void = () => {};
    const outcome = new Promise<unknown>((resolve) => (settle = resolve));
    const server = http.createServer((request) => {
      store.write('http-cut', request, { maxBytes: 1e9 }).then(settle, settle);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const request = http.request({ port, host: '127.0.0.1', method: 'POST', headers: { 'content-length': 10 * 1024 * 1024 } });
      request.on('error', () => {});
      request.write(randomBytes(256 * 1024));
      // Give the server time to start storing before the client goes away.
      await new Promise((resolve) => setTimeout(resolve, 200));
      request.destroy();

      expect(await outcome).toBeInstanceOf(StagingBodyCutOff);
      expect(await filesOnDisk()).toEqual([]);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('passes the error inspectHead throws to the caller and leaves nothing', async () => {
    const body = Readable.from([randomBytes(8192), randomBytes(8192)]);
    const rejectHead = () => {
      throw new NotAVideo('no video signature');
    };

    await expect(store.write('not-video', body, { maxBytes: 1e6, inspectHead: rejectHead })).rejects.toBeInstanceOf(NotAVideo);

    expect(await filesOnDisk()).toEqual([]);
  });

  it('removes a refused partial only after its file stream has opened and closed it, however late the open', async () => {
    // As on a loaded machine, where the open waits on libuv's busy thread pool: the file appears
    // only after the refusal. Removed before, it would be created afterwards and stay.
    const slowOpen = new FileStagingStore(path.join(directory, 'slow'), {
      openPartial: (file) => {
        let handle: FileHandle | undefined;
        return new Writable({
          construct: (done) => void setTimeout(() => open(file, 'wx').then((opened) => { handle = opened; done(); }, done), 100),
          write: (chunk: Buffer, _encoding, done) => void handle!.write(chunk).then(() => done(), done),
          destroy: (error, done) => void (handle ? handle.close() : Promise.resolve()).then(() => done(error), done),
        });
      },
    });
    const rejectHead = () => {
      throw new NotAVideo('no video signature');
    };

    await expect(slowOpen.write('late', Readable.from([randomBytes(8192)]), { maxBytes: 1e6, inspectHead: rejectHead })).rejects.toBeInstanceOf(NotAVideo);
    await new Promise((resolve) => setTimeout(resolve, 200));

    expect(await readdir(slowOpen.directory)).toEqual([]);
  });

  it('leaves a rejected body open for the caller to answer on', async () => {
    const body = new Readable({ read() {} });
    body.push(randomBytes(2000));

    await expect(store.write('kept-open', body, { maxBytes: 1000 })).rejects.toBeInstanceOf(UploadTooLarge);

    expect(body.destroyed).toBe(false);
    body.destroy();
  });

  it('keeps a completed file when a later write under another name fails', async () => {
    const kept = await store.write('kept', Readable.from([Buffer.from('complete')]), { maxBytes: 100 });
    await expect(store.write('failed', Readable.from([randomBytes(200)]), { maxBytes: 100 })).rejects.toBeInstanceOf(UploadTooLarge);

    expect(await store.list()).toEqual([kept.ref]);
  });

  it('refuses names that are not [A-Za-z0-9_-]+', async () => {
    for (const name of ['../escape', 'a/b', '', '.hidden', 'name.txt']) {
      await expect(store.write(name, Readable.from([Buffer.from('x')]), { maxBytes: 10 })).rejects.toBeInstanceOf(InvalidStagingRef);
    }
    expect(await filesOnDisk()).toEqual([]);
  });

  it('refuses refs outside its directory', async () => {
    const outside = path.join(directory, 'secret');
    await writeFile(outside, 'do not touch');
    const refs = [
      `file://${outside}`,
      `file://${store.directory}/../secret`,
      `file://${store.directory}/sub/file`,
      `file:///etc/passwd`,
      `s3://bucket/key`,
      path.join(store.directory, 'plain-path'),
    ];

    for (const ref of refs) {
      await expect(store.read(ref)).rejects.toBeInstanceOf(InvalidStagingRef);
      await expect(store.exists(ref)).rejects.toBeInstanceOf(InvalidStagingRef);
      await expect(store.remove(ref)).rejects.toBeInstanceOf(InvalidStagingRef);
    }
    expect(await readdir(directory)).toContain('secret');
  });

  it('sweeps temporary files that a crashed writer left behind', async () => {
    await store.write('complete', Readable.from([Buffer.from('x')]), { maxBytes: 10 });
    await writeFile(path.join(store.directory, '.crashed.abc.partial'), 'half');

    expect(await store.removeStalePartials(60_000, Date.now() + 120_000)).toBe(1);
    expect(await filesOnDisk()).toEqual(['complete']);
  });
});

describe('createStagingStore', () => {
  it('makes a file store for file:// and an S3 store for s3://', () => {
    expect(createStagingStore({ STAGING: 'file:///tmp/reelay-staging-x' })).toBeInstanceOf(FileStagingStore);
    expect(createStagingStore({ STAGING: 's3://reelay-staging/in/coming' })).toMatchObject({ bucket: 'reelay-staging', prefix: 'in/coming' });
    expect(() => createStagingStore({ STAGING: 's3:///prefix' })).toThrow('valid bucket');
  });
});
