import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import { DataStore, ERRORS, type Upload } from '@tus/utils';
import { ByteMeter, HeadGate, failingWhenRead, newSha256 } from './headGate';
import { headBytesOf, type HeadVerdict } from './headVerdict';
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
  /** Whether the first bytes so far (of `need`) are a video (see headVerdict). */
  readonly judgeHead: (head: Buffer, need: number) => HeadVerdict;
  /** A request body that sends nothing for this long is cut off (408); what arrived is kept. */
  readonly idleTimeoutMs: number;
  readonly expirationMs: number;
  readonly now?: () => number;
}

/** Whether every byte of the upload is stored (its length is known and reached). */
export const isComplete = (upload: Upload): upload is Upload & { size: number } => upload.size !== undefined && upload.offset === upload.size;

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
  private readonly completeWhenRead = new WeakSet<Upload>();
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
    // A repeated last PATCH (its answer was lost): tus answers the offset; nothing is written again.
    if (isComplete(upload) && offset === upload.size) {
      readable.resume();
      return offset;
    }
    let refusal: unknown;
    const previous = this.hashes.get(id);
    const hashing = offset === 0 ? { hash: newSha256(), offset: 0 } : previous?.offset === offset ? previous : undefined;
    this.hashes.delete(id);
    const stages: NodeJS.ReadWriteStream[] = [];
    const need = headBytesOf(upload.size);
    if (offset < need) {
      // The head may come in several requests (tus allows any chunk size): judge all of it so far.
      const stored = offset === 0 ? Buffer.alloc(0) : await this.options.area.readStart(id, offset);
      if (stored.length !== offset) throw new Error(`upload ${id} is at offset ${offset} but ${stored.length} bytes of its head were found`);
      const refuse = () => {
        refusal = tusError(415, 'the upload is not a video (its first bytes match no known video container); nothing was kept');
        return new Error('refused');
      };
      stages.push(new HeadGate(stored, need, this.options.judgeHead, refuse));
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
    const piped = pipeline([readable, ...stages, meter] as unknown as [Readable, NodeJS.ReadWriteStream], () => undefined) as unknown as Readable;
    const source = failingWhenRead(piped);
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
    const upload = await this.findUpload(id);
    if (isComplete(upload)) this.completeWhenRead.add(upload);
    return upload;
  }

  /**
   * Whether `upload` (as `getUpload` returned it) was already complete when read: a request that
   * "finishes" it is a repetition, and must record nothing again. @tus/server reads the upload
   * under its lock before writing, so a finishing request never reads its own upload as complete.
   */
  wasCompleteWhenRead(upload: Upload): boolean {
    return this.completeWhenRead.has(upload);
  }

  private async findUpload(id: string): Promise<Upload> {
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
