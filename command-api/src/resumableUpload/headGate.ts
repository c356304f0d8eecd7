import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/** How many first bytes the video check sees, as for `POST /v1/videos`. */
export const HEAD_BYTES = 4096;

/**
 * Holds back the first `needBytes` of an upload until they have all arrived, then lets them
 * through only if `check` accepts them. So the bytes before the check never reach the store: a
 * request cut off inside them leaves the upload at offset 0, and a rejected one leaves nothing.
 */
export class HeadGate extends Transform {
  private held: Buffer[] = [];
  private heldBytes = 0;
  private open = false;

  constructor(
    private readonly needBytes: number,
    private readonly check: (head: Buffer) => Error | undefined,
    private readonly tooShort: () => Error,
  ) {
    super();
    if (needBytes <= 0) this.open = true;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.open) return callback(null, chunk);
    this.held.push(chunk);
    this.heldBytes += chunk.length;
    if (this.heldBytes < this.needBytes) return callback();
    const held = Buffer.concat(this.held);
    this.held = [];
    const rejection = this.check(held.subarray(0, this.needBytes));
    if (rejection) return callback(rejection);
    this.open = true;
    callback(null, held);
  }

  override _flush(callback: TransformCallback): void {
    callback(this.open ? null : this.tooShort());
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
