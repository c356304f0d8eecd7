import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { InvalidStagingRef, FileStagingStore, StagedFileNotFound, StagingBodyCutOff } from './fileStagingStore';
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

  it('stores a body and reads it back with its size, SHA-256 and head', async () => {
    const bytes = randomBytes(3 * 1024 * 1024 + 17);
    const staged = await store.write('video-1', Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]), { maxBytes: bytes.length });

    expect(staged.ref).toBe(`file://${path.join(store.directory, 'video-1')}`);
    expect(staged.sizeBytes).toBe(bytes.length);
    expect(staged.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(staged.head).toEqual(bytes.subarray(0, 4096));
    // Buffer.equals: jest's toEqual walks a 3 MiB buffer element by element for seconds.
    expect((await buffer(await store.read(staged.ref))).equals(bytes)).toBe(true);
    expect(await store.exists(staged.ref)).toBe(true);
    expect(await store.list()).toEqual([staged.ref]);
  });

  it('shows inspectHead the first 4 KiB once, even when they arrive in small chunks', async () => {
    const bytes = randomBytes(10_000);
    const heads: Buffer[] = [];
    const chunks = Array.from({ length: 100 }, (_, i) => bytes.subarray(i * 100, (i + 1) * 100));

    await store.write('small-chunks', Readable.from(chunks), { maxBytes: 1e6, inspectHead: (head) => heads.push(head) });

    expect(heads).toEqual([bytes.subarray(0, 4096)]);
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

  it('removes idempotently and reports what is gone', async () => {
    const staged = await store.write('gone', Readable.from([Buffer.from('bytes')]), { maxBytes: 100 });

    await store.remove(staged.ref);
    await store.remove(staged.ref);

    expect(await store.exists(staged.ref)).toBe(false);
    await expect(store.read(staged.ref)).rejects.toBeInstanceOf(StagedFileNotFound);
    expect(await store.list()).toEqual([]);
  });

  it('lists nothing before the first write', async () => {
    expect(await store.list()).toEqual([]);
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
