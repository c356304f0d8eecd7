import mediaInfoFactory, { type MediaInfo, type ReadChunkFunc } from 'mediainfo.js';
import type { MediaFacts } from '@reelay/contracts';
import { mediaFactsOf, UnreadableContainer, type MediaInfoTrack } from './mediaFacts';

/** Random access to the bytes of one stored file: its size and any range of it. */
export interface RangeSource {
  readonly sizeBytes: number;
  /** Up to `length` bytes from `offset` (fewer only at the end of the file). */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** What one probe read: the facts, and how much of the file it had to fetch to get them. */
export interface ProbeOutcome {
  readonly facts: MediaFacts;
  readonly bytesRead: number;
  readonly reads: number;
}

// Reads of this size: small enough that a `moov` at the end of a 4 GiB file costs a few of them,
// large enough that a `moov` at the start is one or two.
const CHUNK_BYTES = 256 * 1024;

/**
 * Reads a video's container with MediaInfoLib (mediainfo.js, WebAssembly) without decoding
 * anything: the parser asks for ranges (it seeks to a `moov` at the end of an MP4, or to a
 * Matroska `Cues`), and only those ranges are fetched — never the whole file. One parser instance
 * is reused and runs one file at a time (it is not re-entrant); calls queue behind each other.
 */
export class MediaProber {
  private instance: Promise<MediaInfo<'object'>> | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  probe(source: RangeSource): Promise<ProbeOutcome> {
    const run = this.queue.then(() => this.probeNow(source));
    this.queue = run.catch(() => undefined);
    return run;
  }

  close(): void {
    void this.instance?.then((mediaInfo) => mediaInfo.close()).catch(() => undefined);
    this.instance = undefined;
  }

  private async probeNow(source: RangeSource): Promise<ProbeOutcome> {
    this.instance ??= mediaInfoFactory({ format: 'object', chunkSize: CHUNK_BYTES });
    const mediaInfo = await this.instance;
    let bytesRead = 0;
    let reads = 0;
    const readChunk: ReadChunkFunc = async (size, offset) => {
      const chunk = await source.read(offset, size);
      bytesRead += chunk.length;
      reads += 1;
      return chunk;
    };
    const result = await mediaInfo.analyzeData(source.sizeBytes, readChunk);
    const tracks = (result.media?.track ?? []) as unknown as MediaInfoTrack[];
    if (tracks.length === 0) throw new UnreadableContainer('the parser found nothing it recognises in the file');
    return { facts: mediaFactsOf(tracks), bytesRead, reads };
  }
}
