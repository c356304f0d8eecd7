import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import { DataStore, ERRORS, type Upload } from '@tus/utils';
import { ByteMeter, HEAD_BYTES, HeadGate, newSha256 } from './headGate';
import type { TusArea } from './tusArea';

/** What the store tells the slice about an upload as it happens. */
export interface TusStoreObserver {
  /** `receivedBytes` of the upload are stored or on their way (called for every chunk). */
  onBytes(upload: Upload, receivedBytes: number): void;
  /** The upload was refused, terminated or expired: nothing of it may remain. */
  onGone(id: string): Promise<void>;
}

export interface StagingTusStoreOptions {
  readonly area: TusArea;
  readonly observer: TusStoreObserver;
  /** Throws (an HTTP error for tus) when the first bytes are not a video. */
  readonly checkHead: (head: Buffer) => void;
  /** A request body that sends nothing for this long is cut off (408); what arrived is kept. */
  readonly idleTimeoutMs: number;
  readonly expirationMs: number;
  readonly now?: () => number;
}

/** A tus error: @tus/server answers with this status and body. */
export const tusError = (status_code: number, body: string) => ({ status_code, body });

/**
 * The tus data store of the command API: the area's @tus store, plus what `POST /v1/videos`
 * does to a body. The first bytes must be a video before anything is kept (HeadGate); bytes are
 * counted for the progress bar and hashed on the way in, so that a finished upload usually needs
 * no second read for its SHA-256 (only when it was resumed in another process than it started
 * in); a quiet body is cut off; uploads expire `expirationMs` after creation.
 */
export class StagingTusStore extends DataStore {
  /** Running SHA-256 per upload, valid while its offset is the stored one. */
  private readonly hashes = new Map<string, { hash: ReturnType<typeof newSha256>; offset: number }>();
  private readonly inner: DataStore;
  private readonly now: () => number;

  constructor(private readonly options: StagingTusStoreOptions) {
    super();
    this.inner = options.area.dataStore;
    this.extensions = ['creation', 'creation-with-upload', 'creation-defer-length', 'termination', 'expiration'];
    this.now = options.now ?? Date.now;
  }

  override create(upload: Upload): Promise<Upload> {
    return this.inner.create(upload);
  }

  override async remove(id: string): Promise<void> {
    this.hashes.delete(id);
    await this.options.area.removeRecord(id);
    await this.options.observer.onGone(id);
  }

  override async write(readable: Readable, id: string, offset: number): Promise<number> {
    const upload = await this.getUpload(id);
    let refusal: unknown;
    const previous = this.hashes.get(id);
    const hashing = offset === 0 ? { hash: newSha256(), offset: 0 } : previous?.offset === offset ? previous : undefined;
    this.hashes.delete(id);
    const stages: NodeJS.ReadWriteStream[] = [];
    if (offset === 0) {
      const need = Math.min(HEAD_BYTES, upload.size ?? HEAD_BYTES);
      const check = (head: Buffer) => {
        try {
          this.options.checkHead(head);
          return undefined;
        } catch (error) {
          refusal = error;
          return new Error('refused');
        }
      };
      const tooShort = () => {
        refusal = tusError(400, `the first request of an upload must carry its first ${need} bytes; nothing was kept`);
        return new Error('refused');
      };
      stages.push(new HeadGate(need, check, tooShort));
    }
    const idle = setTimeout(() => {
      refusal = tusError(408, `no bytes arrived for ${this.options.idleTimeoutMs} ms; what arrived before is kept, resume with HEAD and PATCH`);
      meter.destroy(new Error('stalled'));
    }, this.options.idleTimeoutMs);
    const meter = new ByteMeter(hashing?.hash, (bytes) => {
      idle.refresh();
      this.options.observer.onBytes(upload, offset + bytes);
    });
    // pipeline (not pipe): an error anywhere ends the chain, and the store's write rejects.
    const source = pipeline([readable, ...stages, meter] as unknown as [Readable, NodeJS.ReadWriteStream], () => undefined) as unknown as Readable;
    let newOffset: number;
    try {
      newOffset = await this.inner.write(source, id, offset);
    } catch (error) {
      if (refusal !== undefined && (refusal as { status_code?: number }).status_code === 415) await this.remove(id);
      throw refusal ?? error;
    } finally {
      clearTimeout(idle);
    }
    if (refusal !== undefined) throw refusal;
    if (hashing && newOffset === offset + meter.bytes) this.hashes.set(id, { hash: hashing.hash, offset: newOffset });
    return newOffset;
  }

  /** The SHA-256 of a complete upload when its bytes were all hashed on the way in. */
  takeSha256(id: string, size: number): string | undefined {
    const hashing = this.hashes.get(id);
    this.hashes.delete(id);
    return hashing?.offset === size ? hashing.hash.digest('hex') : undefined;
  }

  override async getUpload(id: string): Promise<Upload> {
    try {
      return await this.inner.getUpload(id);
    } catch (error) {
      const status = (error as { status_code?: number }).status_code;
      if (status !== 404 && status !== 410) throw error;
      const done = await this.options.area.handedOver(id);
      if (done) return done;
      throw ERRORS.FILE_NOT_FOUND;
    }
  }

  override declareUploadLength(id: string, length: number): Promise<void> {
    // A deferred length declared 0 would finish the upload with no bytes, unchecked.
    if (length === 0) return Promise.reject(tusError(400, 'Upload-Length is 0: an empty file is not a video'));
    return this.inner.declareUploadLength(id, length);
  }

  override getExpiration(): number {
    return this.options.expirationMs;
  }

  /** Removes every upload record older than the expiration, and the bytes of unfinished ones. */
  override async deleteExpired(now: number = this.now()): Promise<number> {
    if (this.options.expirationMs <= 0) return 0;
    const cutoff = now - this.options.expirationMs;
    let removed = 0;
    for (const { id, createdAt } of await this.options.area.records()) {
      if (createdAt.getTime() >= cutoff) continue;
      await this.remove(id);
      removed += 1;
    }
    return removed;
  }
}
