import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import type { Readable } from 'node:stream';
import { StagingBodyCutOff, StagingBodyStalled, StagingWriteFailed, UploadTooLarge } from './stagingStore';

/** How many first bytes `inspectHead` sees. */
export const HEAD_BYTES = 4096;

export interface BodyMeterOptions {
  readonly maxBytes: number;
  readonly inspectHead?: (head: Buffer) => void;
  readonly idleTimeoutMs?: number;
  readonly onBytes?: (receivedBytes: number) => void;
}

/**
 * Counts, hashes and keeps the head of the bytes flowing through; enforces the size limit and,
 * when asked, fails with StagingBodyStalled once no byte has arrived for `idleTimeoutMs`
 * (counted from the start, so a client that sends headers and then nothing is caught too).
 * A disk too slow to take a chunk for that long looks the same, and is a failure all the same.
 */
export class BodyMeter extends Transform {
  sizeBytes = 0;
  /** The error `inspectHead` threw, passed to the caller unchanged. */
  rejection: unknown;
  private readonly hash = createHash('sha256');
  private headChunks: Buffer[] = [];
  private headLength = 0;
  private inspected = false;
  private readonly idleTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: BodyMeterOptions) {
    super();
    const idleMs = options.idleTimeoutMs;
    if (idleMs !== undefined && idleMs > 0) {
      this.idleTimer = setTimeout(() => this.destroy(new StagingBodyStalled(`no body bytes arrived for ${idleMs} ms`)), idleMs);
      this.idleTimer.unref();
    }
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.idleTimer?.refresh();
    this.sizeBytes += chunk.length;
    if (this.sizeBytes > this.options.maxBytes) {
      callback(new UploadTooLarge(`body is larger than ${this.options.maxBytes} bytes`));
      return;
    }
    this.hash.update(chunk);
    if (this.headLength < HEAD_BYTES) {
      this.headChunks.push(chunk.subarray(0, HEAD_BYTES - this.headLength));
      this.headLength += Math.min(chunk.length, HEAD_BYTES - this.headLength);
      if (this.headLength >= HEAD_BYTES) {
        const error = this.inspect();
        if (error) {
          callback(error);
          return;
        }
      }
    }
    // After the head check: bytes refused by it are never reported as received.
    this.options.onBytes?.(this.sizeBytes);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    clearTimeout(this.idleTimer);
    callback(this.inspect());
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.idleTimer);
    callback(error);
  }

  head(): Buffer {
    if (this.headChunks.length !== 1) this.headChunks = [Buffer.concat(this.headChunks)];
    return this.headChunks[0] ?? Buffer.alloc(0);
  }

  sha256(): string {
    return this.hash.digest('hex');
  }

  /** Runs inspectHead once; returns the error to fail the write with, if any. */
  private inspect(): Error | undefined {
    if (this.inspected || !this.options.inspectHead) return undefined;
    this.inspected = true;
    try {
      this.options.inspectHead(Buffer.from(this.head()));
      return undefined;
    } catch (error) {
      this.rejection = error;
      return error instanceof Error ? error : new Error(String(error));
    }
  }
}

/**
 * Fails the write when the body fails: an error, an 'aborted' request (a client that went
 * away), or a close before the end. `pipe` alone would leave the write waiting forever.
 */
export function forwardBodyFailures(body: Readable, meter: BodyMeter): { cutOff(): boolean } {
  let cutOff = false;
  const cut = (cause?: unknown) => {
    if (body.readableEnded || cutOff) return;
    cutOff = true;
    meter.destroy(new StagingBodyCutOff('request body ended before it was complete', { cause }));
  };
  // These listeners stay: removing them could leave a late 'error' unhandled and crash the process.
  body.on('error', cut).on('close', () => cut()).once('aborted', () => cut());
  return { cutOff: () => cutOff };
}

/** The error a failed write reports: the body's, the limit's, inspectHead's, or the store's own. */
export function classifyWriteFailure(error: unknown, meter: BodyMeter, bodyCutOff: boolean): unknown {
  if (error instanceof UploadTooLarge || error instanceof StagingBodyCutOff || error instanceof StagingBodyStalled) return error;
  if (meter.rejection !== undefined) return meter.rejection;
  if (bodyCutOff) return new StagingBodyCutOff('request body ended before it was complete', { cause: error });
  return new StagingWriteFailed('storing the staged file failed', { cause: error });
}

