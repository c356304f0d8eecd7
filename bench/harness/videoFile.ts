import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export const MiB = 1024 * 1024;

/**
 * A file that sniffs as MP4 (an `ftyp` box) followed by random bytes, written a MiB at a time so
 * the benchmark itself never holds a video in memory.
 */
export async function makeVideoFile(sizeBytes: number): Promise<{ file: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'reelay-bench-'));
  const file = path.join(dir, 'video.mp4');
  const handle = await open(file, 'w');
  const ftyp = Buffer.concat([Buffer.from([0, 0, 0, 0x20]), Buffer.from('ftypisom\0\0\x02\0isomiso2avc1mp41', 'latin1')]);
  await handle.write(ftyp);
  for (let written = ftyp.length; written < sizeBytes; written += MiB) await handle.write(randomBytes(Math.min(MiB, sizeBytes - written)));
  await handle.close();
  return { file, remove: () => rm(dir, { recursive: true, force: true }) };
}
