import type { Readable } from 'node:stream';

/** The source held a different number of bytes than announced; nothing is completed. */
export class SourceSizeMismatch extends Error {
  override readonly name = 'SourceSizeMismatch';
}

/**
 * Fills buffers the caller owns from a stream: wholly (`fill`, failing when the stream ends
 * early) or as far as the stream goes (`fillUpTo`). Copying into the caller's buffer, instead of
 * concatenating the chunks into a new one, lets a multipart upload reuse a few part-sized buffers
 * for all its parts: a fresh 8 MiB block per part is a fresh mapping for the allocator to fault
 * in and give back every time.
 */
export class ExactReader {
  private readonly iterator: AsyncIterator<Buffer>;
  /** Bytes read from the stream past the last filled buffer: the start of the next one. */
  private leftover: Buffer = Buffer.alloc(0);

  constructor(source: Readable) {
    this.iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  /** Fills all of `target` with the stream's next bytes and gives it back. */
  async fill(target: Buffer): Promise<Buffer> {
    const filled = await this.fillUpTo(target);
    if (filled.length < target.length) throw new SourceSizeMismatch(`the source ended ${target.length - filled.length} bytes before its announced size`);
    return filled;
  }

  /** Fills `target` with the stream's next bytes, or with what is left when it ends first: the filled start of `target`. */
  async fillUpTo(target: Buffer): Promise<Buffer> {
    let filled = this.leftover.copy(target, 0, 0, target.length);
    this.leftover = this.leftover.subarray(filled);
    while (filled < target.length) {
      const next = await this.iterator.next();
      if (next.done) break;
      const chunk: Buffer = next.value;
      const copied = chunk.copy(target, filled);
      filled += copied;
      // A chunk is at most the stream's high-water mark, so keeping its tail keeps little alive.
      if (copied < chunk.length) this.leftover = chunk.subarray(copied);
    }
    return target.subarray(0, filled);
  }

  async atEnd(): Promise<boolean> {
    if (this.leftover.length > 0) return false;
    const next = await this.iterator.next();
    if (next.done) return true;
    this.leftover = next.value;
    return next.value.length === 0 ? this.atEnd() : false;
  }
}

/**
 * Buffers handed out and taken back across one upload's parts, so an upload with `concurrency`
 * parts in flight allocates about `concurrency + 1` of them whatever its length. A buffer is only
 * as large as the first part that needed it, so a video smaller than one part costs its own size.
 */
export class PartBuffers {
  private readonly free: Buffer[] = [];

  /** A buffer of exactly `bytes` that is the caller's until `release`. */
  take(bytes: number): Buffer {
    const fits = this.free.findIndex((buffer) => buffer.length >= bytes);
    const whole = fits >= 0 ? (this.free.splice(fits, 1)[0] as Buffer) : Buffer.allocUnsafeSlow(bytes);
    return whole.subarray(0, bytes);
  }

  /** Gives a buffer from `take` back, once nothing reads it any more. */
  release(part: Buffer): void {
    this.free.push(Buffer.from(part.buffer, 0, part.buffer.byteLength));
  }
}
