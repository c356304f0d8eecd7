/**
 * Recognises video containers by their first bytes, whatever the Content-Type header claims.
 * Pure; `head` is the first few KiB of the body.
 */
export type VideoContainer = 'mp4' | 'quicktime' | 'matroska' | 'avi' | 'mpeg-ts' | 'mpeg-ps' | 'flv' | 'asf';

// ISO base media files (MP4, MOV, 3GP, M4V) start with a box whose type is at offset 4.
const ISO_BMFF_FIRST_BOXES = new Set(['ftyp']);
// Older QuickTime files may start straight with one of these atoms.
const QUICKTIME_FIRST_ATOMS = new Set(['moov', 'mdat', 'wide', 'free', 'skip', 'pnot']);
const TS_PACKET = 188;

function ascii(head: Buffer, start: number, end: number): string {
  return head.subarray(start, end).toString('latin1');
}

function startsWith(head: Buffer, bytes: readonly number[]): boolean {
  return head.length >= bytes.length && bytes.every((byte, i) => head[i] === byte);
}

export function detectVideoContainer(head: Buffer): VideoContainer | undefined {
  if (head.length < 12) return undefined;
  const boxType = ascii(head, 4, 8);
  if (ISO_BMFF_FIRST_BOXES.has(boxType)) return ascii(head, 8, 10) === 'qt' ? 'quicktime' : 'mp4';
  if (QUICKTIME_FIRST_ATOMS.has(boxType)) return 'quicktime';
  if (startsWith(head, [0x1a, 0x45, 0xdf, 0xa3])) return 'matroska';
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'AVI ') return 'avi';
  if (startsWith(head, [0x00, 0x00, 0x01, 0xba])) return 'mpeg-ps';
  if (ascii(head, 0, 3) === 'FLV') return 'flv';
  if (startsWith(head, [0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11])) return 'asf';
  // MPEG-TS has no magic number: a sync byte at the start of every 188-byte packet.
  const packets = Math.min(3, Math.floor(head.length / TS_PACKET));
  if (packets >= 2 && Array.from({ length: packets }, (_, i) => head[i * TS_PACKET]).every((b) => b === 0x47)) return 'mpeg-ts';
  return undefined;
}
