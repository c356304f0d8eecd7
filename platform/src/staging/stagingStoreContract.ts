import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import {
  InvalidStagingRef,
  StagedFileNotFound,
  StagingBodyCutOff,
  StagingBodyStalled,
  UploadTooLarge,
  type StagingStore,
} from './stagingStore';

/** One store under test, with what the suite needs to look behind its back. */
export interface StagingStoreUnderTest {
  readonly store: StagingStore;
  /** A ref of the same kind that this store must refuse (another folder, bucket or prefix). */
  readonly foreignRef: string;
  dispose(): Promise<void>;
}

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

/**
 * The behaviour every `StagingStore` must have, whatever it keeps bytes on: one suite, run by
 * `stagingStoreContract.int.test.ts` against the file store and the S3 store (on s3rver).
 */
export function stagingStoreContract(kind: string, open: () => Promise<StagingStoreUnderTest>): void {
  describe(`StagingStore contract: ${kind}`, () => {
    let subject: StagingStoreUnderTest;
    let store: StagingStore;
    beforeEach(async () => {
      subject = await open();
      store = subject.store;
    });
    afterEach(async () => {
      await subject.dispose();
    });

    it('stores a body and reads it back with its size, SHA-256 and head, from the start or from an offset', async () => {
      const bytes = randomBytes(6 * 1024 * 1024 + 17);
      const staged = await store.write('video-1', Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]), { maxBytes: bytes.length });

      expect(staged.ref).toBe(store.refFor('video-1'));
      expect(staged.sizeBytes).toBe(bytes.length);
      expect(staged.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(staged.head.equals(bytes.subarray(0, 4096))).toBe(true);
      // Buffer.equals: jest's toEqual walks a large buffer element by element for seconds.
      expect((await buffer(await store.read(staged.ref))).equals(bytes)).toBe(true);
      expect((await buffer(await store.read(staged.ref, { start: 5_000_000 }))).equals(bytes.subarray(5_000_000))).toBe(true);
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

    it('tells onBytes the running count', async () => {
      const counts: number[] = [];
      await store.write('counted', Readable.from([randomBytes(100), randomBytes(50)]), { maxBytes: 1000, onBytes: (n) => counts.push(n) });
      expect(counts).toEqual([100, 150]);
    });

    it('rejects a body over maxBytes with UploadTooLarge and keeps nothing', async () => {
      const body = Readable.from([randomBytes(600), randomBytes(600)]);
      await expect(store.write('too-large', body, { maxBytes: 1000 })).rejects.toBeInstanceOf(UploadTooLarge);
      expect(await store.list()).toEqual([]);
      expect(await store.exists(store.refFor('too-large'))).toBe(false);
    });

    it('keeps nothing when the body errors midway', async () => {
      const body = failingBody([randomBytes(64 * 1024), randomBytes(64 * 1024)], new Error('connection reset'));
      await expect(store.write('cut', body, { maxBytes: 1e9 })).rejects.toBeInstanceOf(StagingBodyCutOff);
      expect(await store.list()).toEqual([]);
    });

    it('keeps nothing when an HTTP request body is cut off', async () => {
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
        await new Promise<void>((resolve) => request.write(randomBytes(256 * 1024), () => resolve()));
        request.destroy();

        expect(await outcome).toBeInstanceOf(StagingBodyCutOff);
        expect(await store.list()).toEqual([]);
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it('passes the error inspectHead throws to the caller, keeps nothing and leaves the body open', async () => {
      const body = new Readable({ read() {} });
      body.push(randomBytes(8192));
      const rejectHead = () => {
        throw new NotAVideo('no video signature');
      };

      await expect(store.write('not-video', body, { maxBytes: 1e6, inspectHead: rejectHead })).rejects.toBeInstanceOf(NotAVideo);

      expect(body.destroyed).toBe(false);
      body.destroy();
      expect(await store.list()).toEqual([]);
    });

    it('gives up on a body that goes quiet and keeps nothing', async () => {
      const body = new Readable({ read() {} });
      body.push(randomBytes(1000));
      await expect(store.write('quiet', body, { maxBytes: 1e6, idleTimeoutMs: 200 })).rejects.toBeInstanceOf(StagingBodyStalled);
      body.destroy();
      expect(await store.list()).toEqual([]);
    });

    it('refuses names that are not [A-Za-z0-9_-]+ and refs of other stores', async () => {
      for (const name of ['../escape', 'a/b', '', '.hidden', 'name.txt']) {
        await expect(store.write(name, Readable.from([Buffer.from('x')]), { maxBytes: 10 })).rejects.toBeInstanceOf(InvalidStagingRef);
      }
      for (const ref of [subject.foreignRef, 'file:///etc/passwd', 's3://other-bucket/key', `${store.refFor('x')}/y`, 'plain']) {
        await expect(store.read(ref)).rejects.toBeInstanceOf(InvalidStagingRef);
        await expect(store.exists(ref)).rejects.toBeInstanceOf(InvalidStagingRef);
        await expect(store.remove(ref)).rejects.toBeInstanceOf(InvalidStagingRef);
      }
      expect(await store.list()).toEqual([]);
    });

    it('removes idempotently and reports what is gone', async () => {
      const staged = await store.write('gone', Readable.from([Buffer.from('bytes')]), { maxBytes: 100 });

      await store.remove(staged.ref);
      await store.remove(staged.ref);

      expect(await store.exists(staged.ref)).toBe(false);
      await expect(store.read(staged.ref)).rejects.toBeInstanceOf(StagedFileNotFound);
      expect(await store.list()).toEqual([]);
    });

    it('lists complete files with when they were written', async () => {
      expect(await store.listEntries()).toEqual([]);
      const before = Date.now();
      const staged = await store.write('complete', Readable.from([Buffer.from('bytes')]), { maxBytes: 100 });

      const entries = await store.listEntries();

      expect(entries).toEqual([{ ref: staged.ref, name: 'complete', modifiedAt: expect.any(Date) }]);
      expect(entries[0]?.modifiedAt.getTime()).toBeGreaterThanOrEqual(before - 2000);
    });
  });
}
