import { describe, it, expect } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { ExactReader, PartBuffers, SourceSizeMismatch } from './exactReader';

/** `bytes` cut into chunks of the given sizes, in turn, as a stream would deliver them. */
function chunked(bytes: Buffer, sizes: readonly number[]): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0, i = 0; at < bytes.length; i += 1) {
    const size = sizes[i % sizes.length] as number;
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return Readable.from(chunks);
}

describe('an exact reader', () => {
  // Chunk sizes below, equal to and above the part size, and ones that end exactly on a part.
  const cuts: ReadonlyArray<{ chunks: number[]; parts: number[] }> = [
    { chunks: [1], parts: [3, 3, 3, 1] },
    { chunks: [7, 1, 13], parts: [10, 10, 10, 10] },
    { chunks: [10], parts: [10, 10, 10, 10] },
    { chunks: [25, 3], parts: [4, 4, 4, 4, 4, 4, 4, 4, 4, 4] },
    { chunks: [40], parts: [16, 16, 8] },
    { chunks: [3, 9], parts: [11, 0, 29] },
  ];

  it.each(cuts)('fills each buffer with the next bytes whatever the chunks (%j)', async ({ chunks, parts }) => {
    const bytes = randomBytes(parts.reduce((sum, n) => sum + n, 0));
    const reader = new ExactReader(chunked(bytes, chunks));
    const buffers = new PartBuffers();
    let at = 0;
    for (const size of parts) {
      const part = await reader.fill(buffers.take(size));
      expect(part.equals(bytes.subarray(at, at + size))).toBe(true);
      buffers.release(part);
      at += size;
    }
    expect(await reader.atEnd()).toBe(true);
  });

  it('says when the source ends before a buffer is full, and how many bytes were missing', async () => {
    const reader = new ExactReader(chunked(randomBytes(25), [10]));
    await reader.fill(Buffer.alloc(20));
    await expect(reader.fill(Buffer.alloc(20))).rejects.toThrow(new SourceSizeMismatch('the source ended 15 bytes before its announced size'));
  });

  it('is not at its end while bytes are left, whether read already or not', async () => {
    const reader = new ExactReader(chunked(randomBytes(12), [8]));
    await reader.fill(Buffer.alloc(6));
    expect(await reader.atEnd()).toBe(false);
    await reader.fill(Buffer.alloc(2));
    expect(await reader.atEnd()).toBe(false);
    expect(await reader.fill(Buffer.alloc(4))).toHaveLength(4);
    expect(await reader.atEnd()).toBe(true);
  });
});

describe('part buffers', () => {
  it('hand a released buffer out again when it is large enough, instead of allocating another', () => {
    const buffers = new PartBuffers();
    const first = buffers.take(16);
    const last = buffers.take(9);
    expect(first.buffer).not.toBe(last.buffer);
    buffers.release(first);
    buffers.release(last);
    const again = buffers.take(12);
    expect(again.buffer).toBe(first.buffer);
    expect(again).toHaveLength(12);
    expect(buffers.take(9).buffer).toBe(last.buffer);
  });

  it('allocate no more than a part needs', () => {
    const buffers = new PartBuffers();
    const small = buffers.take(5);
    buffers.release(small);
    const larger = buffers.take(6);
    expect(larger.buffer).not.toBe(small.buffer);
    expect(larger.buffer.byteLength).toBe(6);
  });

  it('never hand out a buffer that is still taken', () => {
    const buffers = new PartBuffers();
    const taken = [buffers.take(4), buffers.take(4), buffers.take(4)];
    expect(new Set(taken.map((part) => part.buffer)).size).toBe(3);
  });
});
