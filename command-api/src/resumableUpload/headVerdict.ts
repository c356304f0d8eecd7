import { HEAD_BYTES } from '@reelay/platform';
import { detectVideoContainer } from '../requestUpload/videoSignature';

/** Every container with a magic number is told by its first 12 bytes (see detectVideoContainer). */
const MAGIC_BYTES = 12;
/** MPEG-TS has no magic number, only a sync byte at the start of each packet. */
const TS_SYNC = 0x47;

export type HeadVerdict = 'video' | 'not-video' | 'undecided';

/** How many first bytes an upload of `size` (undefined: not declared yet) must show the video check: as many as `POST /v1/videos` sees. */
export function headBytesOf(size: number | undefined): number {
  return Math.min(HEAD_BYTES, size ?? HEAD_BYTES);
}

/**
 * Whether the first bytes of an upload that have arrived so far (`head`, from offset 0) are a
 * video, are not, or cannot tell yet. The verdict on `need` bytes is the one `POST /v1/videos`
 * gives; a shorter head is decided as soon as more bytes could not change that verdict, so that
 * a non-video sent in small chunks is refused at its first chunk, not at its 4096th byte: a
 * magic number is decided by 12 bytes; only a head starting with MPEG-TS's sync byte waits.
 */
export function headVerdict(head: Buffer, need: number): HeadVerdict {
  if (head.length >= need) return detectVideoContainer(head.subarray(0, need)) ? 'video' : 'not-video';
  if (head.length < MAGIC_BYTES) return 'undecided';
  const container = detectVideoContainer(head);
  if (container !== undefined && container !== 'mpeg-ts') return 'video';
  return head[0] === TS_SYNC ? 'undecided' : 'not-video';
}
