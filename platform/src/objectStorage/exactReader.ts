import type { Readable } from 'node:stream';

/** The source held a different number of bytes than announced; nothing is completed. */
export class SourceSizeMismatch extends Error {
  override readonly name = 'SourceSizeMismatch';
}

/** Takes exact byte counts from a stream, failing when it ends early. */
export class ExactReader {
  private readonly iterator: AsyncIterator<Buffer>;
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(source: Readable) {
    this.iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  async take(bytes: number): Promise<Buffer> {
    while (this.pendingBytes < bytes) {
      const next = await this.iterator.next();
      if (next.done) throw new SourceSizeMismatch(`the source ended ${bytes - this.pendingBytes} bytes before its announced size`);
      this.pending.push(next.value);
      this.pendingBytes += next.value.length;
    }
    const all = this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending);
    const rest = all.subarray(bytes);
    this.pending = rest.length > 0 ? [Buffer.from(rest)] : [];
    this.pendingBytes = rest.length;
    return all.subarray(0, bytes);
  }

  async atEnd(): Promise<boolean> {
    if (this.pendingBytes > 0) return false;
    const next = await this.iterator.next();
    if (next.done) return true;
    this.pending.push(next.value);
    this.pendingBytes += next.value.length;
    return next.value.length === 0 ? this.atEnd() : false;
  }
}
