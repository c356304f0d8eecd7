import { createHash, type Hash } from 'node:crypto';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import type { HeadVerdict } from './headVerdict';

/**
 * Holds back the bytes of a request that carries part of an upload's first `needBytes`, until the
 * head arrived so far (what earlier requests stored, `stored`, then these bytes) can be judged.
 * A video opens the gate; a non-video fails the stream with `refuse()` before any of these bytes
 * reach the store; a request that ends while its head is still undecided (a 200-byte chunk of a
 * head that could be MPEG-TS) lets its bytes through, for the next request to judge with them.
 * A request cut off while bytes are held keeps none of them.
 */
export class HeadGate extends Transform {
  private held: Buffer[] = [];
  private heldBytes = 0;
  private open = false;

  constructor(
    private readonly stored: Buffer,
    private readonly needBytes: number,
    private readonly judge: (head: Buffer, need: number) => HeadVerdict,
    private readonly refuse: () => Error,
  ) {
    super();
    if (stored.length >= needBytes) this.open = true;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.open) {
      callback(null, chunk);
      return;
    }
    this.held.push(chunk);
    this.heldBytes += chunk.length;
    const head = Buffer.concat([this.stored, ...this.held], Math.min(this.needBytes, this.stored.length + this.heldBytes));
    const verdict = this.judge(head, this.needBytes);
    if (verdict === 'undecided') {
      callback();
      return;
    }
    if (verdict === 'not-video') {
      callback(this.refuse());
      return;
    }
    this.open = true;
    this.release(callback);
  }

  override _flush(callback: TransformCallback): void {
    this.release(callback);
  }

  private release(callback: TransformCallback): void {
    const held = Buffer.concat(this.held);
    this.held = [];
    callback(null, held.length > 0 ? held : undefined);
  }
}

/** Counts and hashes the bytes going through; calls `onBytes` with the running count. */
export class ByteMeter extends Transform {
  bytes = 0;

  constructor(
    readonly hash: Hash | undefined,
    private readonly onBytes: (bytes: number) => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    this.hash?.update(chunk);
    this.onBytes(this.bytes);
    callback(null, chunk);
  }
}

export const newSha256 = (): Hash => createHash('sha256');

/**
 * `stream`'s bytes, and its failure only once the reader asks for more. @tus/s3-store first reads
 * an upload's incomplete part from S3 and only then puts the request's stream behind it (in a
 * MultiStream): a stream that failed meanwhile (a refused head, an idle cut) has emitted its error
 * to nobody, and the MultiStream waits for it for ever. Read lazily, the failure reaches it.
 */
export function failingWhenRead(stream: Readable): Readable {
  return Readable.from(stream[Symbol.asyncIterator](), { objectMode: false });
}
