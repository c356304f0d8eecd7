import { randomBytes } from 'node:crypto';
import { createWriteStream, type Dirent } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BodyMeter, classifyWriteFailure, forwardBodyFailures } from './bodyMeter';
import {
  InvalidStagingRef,
  SAFE_NAME,
  StagedFileNotFound,
  StagingBodyCutOff,
  type StagedEntry,
  type StagedFile,
  type StagingReadOptions,
  type StagingStore,
  type StagingWriteOptions,
} from './stagingStore';

export { InvalidStagingRef, StagedFileNotFound, StagingBodyCutOff, StagingWriteFailed } from './stagingStore';

const REF_PREFIX = 'file://';
const PARTIAL_SUFFIX = '.partial';

export interface FileStagingStoreOptions {
  /**
   * Opens the temporary file a body is written to; `fs.createWriteStream` by default. Tests pass
   * one that fails like a full disk after some bytes, which no portable test can cause for real.
   * It must emit 'close' once destroyed (streams do by default): a failed write waits for it.
   */
  readonly openPartial?: (file: string) => Writable;
}

const openPartialFile = (file: string): Writable => createWriteStream(file, { flags: 'wx' });

/**
 * Staging on a local (or shared, mounted) directory.
 *
 * A write goes to a hidden temporary name (`.<name>.<random>.partial`) and is renamed into place
 * only when the whole body is stored, hashed and accepted; any failure removes the temporary file
 * before the error reaches the caller. So a staged name always holds a complete file, `list()`
 * shows only complete files, and a reader can never see half a video. If the process itself dies
 * mid-write, the temporary file stays: `removeStalePartials()` is for a sweeper.
 *
 * The caller owns the body. When the store rejects it (too large, `inspectHead` threw, it went
 * quiet for `idleTimeoutMs`, disk error) it stops reading and pauses it but does not destroy it:
 * an HTTP handler can still send 408/413/415/507 and then close the connection.
 *
 * Refs are `file://` followed by the absolute path, not percent-encoded. Every ref is checked to
 * name a file directly inside this store's directory, so a forged ref cannot reach other files.
 */
export class FileStagingStore implements StagingStore {
  readonly directory: string;
  private ready: Promise<unknown> | undefined;
  private readonly openPartial: (file: string) => Writable;

  constructor(directory: string, options: FileStagingStoreOptions = {}) {
    this.directory = path.resolve(directory);
    this.openPartial = options.openPartial ?? openPartialFile;
  }

  async write(name: string, body: Readable, options: StagingWriteOptions): Promise<StagedFile> {
    if (!SAFE_NAME.test(name)) throw new InvalidStagingRef(`staging name ${JSON.stringify(name)} is not [A-Za-z0-9_-]+`);
    const finalPath = path.join(this.directory, name);
    const partialPath = path.join(this.directory, `.${name}.${randomBytes(6).toString('hex')}${PARTIAL_SUFFIX}`);
    if (body.readableEnded || body.destroyed) throw new StagingBodyCutOff('body was already consumed or destroyed');
    const meter = new BodyMeter(options);
    // Attached at once: the body may be cut off while the directory is still being created.
    const body$ = forwardBodyFailures(body, meter);
    let partial: Writable | undefined;
    try {
      await this.ensureDirectory();
      partial = this.openPartial(partialPath);
      const stored = pipeline(meter, partial);
      // pipe, not pipeline: on our own rejection (too large, not a video, disk) the body must stay
      // open, so that an HTTP caller can still answer 413/415 before it closes the connection.
      body.pipe(meter);
      await stored;
      await rename(partialPath, finalPath);
    } catch (error) {
      body.unpipe(meter);
      body.pause();
      // pipeline rejects on the first error, before the file stream has even opened its file
      // (the open runs on libuv's thread pool): removed now, the file could be created after.
      if (partial) await closed(partial);
      await rm(partialPath, { force: true });
      throw classifyWriteFailure(error, meter, body$.cutOff());
    }
    return { ref: `${REF_PREFIX}${finalPath}`, sizeBytes: meter.sizeBytes, sha256: meter.sha256(), head: meter.head() };
  }

  async read(ref: string, options: StagingReadOptions = {}): Promise<Readable> {
    const file = this.pathOf(ref);
    try {
      // Opening first turns a missing file into a rejection here, not a stream error later.
      const handle = await open(file, 'r');
      return handle.createReadStream({ start: options.start ?? 0 });
    } catch (error) {
      if (isMissing(error)) throw new StagedFileNotFound(`staged file ${ref} does not exist`, { cause: error });
      throw error;
    }
  }

  refFor(name: string): string {
    if (!SAFE_NAME.test(name)) throw new InvalidStagingRef(`staging name ${JSON.stringify(name)} is not [A-Za-z0-9_-]+`);
    return this.refOf(name);
  }

  async remove(ref: string): Promise<void> {
    await rm(this.pathOf(ref), { force: true });
  }

  async exists(ref: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(ref))).isFile();
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  async list(): Promise<string[]> {
    return (await this.completeNames()).map((name) => this.refOf(name));
  }

  async listEntries(): Promise<StagedEntry[]> {
    const entries: StagedEntry[] = [];
    for (const name of await this.completeNames()) {
      // Gone between readdir and stat: removed by the uploader or another sweeper; skip it.
      const info = await stat(path.join(this.directory, name)).catch((error: unknown) => (isMissing(error) ? undefined : Promise.reject(error)));
      if (info) entries.push({ ref: this.refOf(name), name, modifiedAt: new Date(info.mtimeMs) });
    }
    return entries;
  }

  /**
   * Removes temporary files of writes that a crashed process left behind; returns how many. A
   * live write touches its file with every chunk, and a body that goes quiet is cut off after
   * the upload idle timeout, so a partial older than that has no writer.
   */
  async removeStalePartials(olderThanMs: number, now: number = Date.now()): Promise<number> {
    const names = await readdir(this.directory).catch((error: unknown) => (isMissing(error) ? [] : Promise.reject(error)));
    let removed = 0;
    for (const name of names.filter((n) => n.startsWith('.') && n.endsWith(PARTIAL_SUFFIX))) {
      const file = path.join(this.directory, name);
      const info = await stat(file).catch(() => undefined);
      if (info && now - info.mtimeMs > olderThanMs) {
        await rm(file, { force: true });
        removed += 1;
      }
    }
    return removed;
  }

  /** Names of complete files: temporary ones start with a dot and never match SAFE_NAME. */
  private async completeNames(): Promise<string[]> {
    let entries: Dirent[];
    try {
      entries = await readdir(this.directory, { withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
    return entries.filter((entry) => entry.isFile() && SAFE_NAME.test(entry.name)).map((entry) => entry.name);
  }

  private refOf(name: string): string {
    return `${REF_PREFIX}${path.join(this.directory, name)}`;
  }

  /** The absolute path a ref names, or InvalidStagingRef when it is not a file of this store. */
  private pathOf(ref: string): string {
    if (!ref.startsWith(REF_PREFIX)) throw new InvalidStagingRef(`not a file:// staging ref: ${ref}`);
    const file = path.resolve(ref.slice(REF_PREFIX.length));
    if (path.dirname(file) !== this.directory || !SAFE_NAME.test(path.basename(file))) {
      throw new InvalidStagingRef(`staging ref outside ${this.directory}: ${ref}`);
    }
    return file;
  }

  private ensureDirectory(): Promise<unknown> {
    this.ready ??= mkdir(this.directory, { recursive: true }).catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }
}

/** Resolves once `stream` has closed (its file descriptor opened, if at all, and closed again). */
async function closed(stream: Writable): Promise<void> {
  if (stream.closed) return;
  // Not events.once: it would reject on the 'error' the stream may still emit before 'close'.
  const done = new Promise((resolve) => stream.once('close', resolve));
  stream.destroy();
  await done;
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
