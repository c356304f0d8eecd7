import { execFile } from 'node:child_process';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Whether ffmpeg and ffprobe are on the PATH (`.ci/run` installs them). */
export async function ffmpegAvailable(): Promise<boolean> {
  try {
    await run('ffmpeg', ['-version']);
    await run('ffprobe', ['-version']);
    return true;
  } catch {
    return false;
  }
}

const SOURCE = ['-f', 'lavfi', '-i', 'testsrc=duration=2:size=320x240:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=2'];

/**
 * Small real videos made by ffmpeg from its test sources (two seconds, 320×240, 25 fps, a few
 * tens of KiB): an H.264/AAC MP4, an H.264 QuickTime file turned 90° by its display matrix, and
 * a VP8/Opus WebM. Made at test time, so no binary sits in the repository.
 */
export async function makeTestVideos(dir: string): Promise<{ mp4: string; mov: string; webm: string }> {
  const ffmpeg = (...args: string[]) => run('ffmpeg', ['-y', '-loglevel', 'error', ...args]);
  const mp4 = path.join(dir, 'clip.mp4');
  const plainMov = path.join(dir, 'plain.mov');
  const mov = path.join(dir, 'portrait.mov');
  const webm = path.join(dir, 'clip.webm');
  await ffmpeg(...SOURCE, '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-shortest', mp4);
  // ffmpeg 5.1 writes the `rotate` tag as a display matrix only when it copies the stream.
  await ffmpeg(...SOURCE.slice(0, 4), '-c:v', 'libx264', '-preset', 'ultrafast', plainMov);
  await ffmpeg('-i', plainMov, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', mov);
  await ffmpeg(...SOURCE, '-c:v', 'libvpx', '-deadline', 'realtime', '-c:a', 'libopus', '-shortest', webm);
  return { mp4, mov, webm };
}

interface ProbedStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  side_data_list?: Array<{ rotation?: number }>;
}

/** What `ffprobe -print_format json -show_streams -show_format` says, in the shape of Reelay's media facts. */
export async function ffprobeFacts(file: string): Promise<{
  formatNames: string[];
  durationMs: number;
  width: number;
  height: number;
  rotation: number;
  frameRate: number;
  videoCodec: string;
  audioCodec: string | null;
}> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', file]);
  const probed = JSON.parse(stdout) as { streams: ProbedStream[]; format: { format_name: string; duration: string } };
  const video = probed.streams.find((s) => s.codec_type === 'video');
  const audio = probed.streams.find((s) => s.codec_type === 'audio');
  if (!video) throw new Error(`ffprobe found no video stream in ${file}`);
  const [num, den] = (video.avg_frame_rate ?? '0/1').split('/').map(Number);
  // ffprobe's display-matrix rotation is counter-clockwise; Reelay's is the clockwise turn to apply.
  const counterClockwise = video.side_data_list?.find((d) => d.rotation !== undefined)?.rotation ?? 0;
  return {
    formatNames: probed.format.format_name.split(','),
    durationMs: Math.round(Number(probed.format.duration) * 1000),
    width: video.width ?? 0,
    height: video.height ?? 0,
    rotation: (((360 - counterClockwise) % 360) + 360) % 360,
    frameRate: Math.round(((num ?? 0) / (den || 1)) * 1000) / 1000,
    videoCodec: video.codec_name ?? '',
    audioCodec: audio?.codec_name ?? null,
  };
}

/**
 * A real MP4 of `sizeBytes` with its `moov` at the very end: the small MP4 `source` (ffmpeg
 * writes `moov` after `mdat` unless told otherwise) with its `mdat` box grown by a hole of zeros
 * after the samples. Sample offsets do not move, so the file stays valid, and the hole is sparse:
 * a 1 GiB file is made in milliseconds and takes no disk.
 */
export async function padMp4WithMoovAtEnd(source: string, target: string, sizeBytes: number): Promise<void> {
  const input = await open(source, 'r');
  const bytes = Buffer.alloc((await input.stat()).size);
  await input.read(bytes, 0, bytes.length, 0);
  await input.close();
  let offset = 0;
  let mdat: { start: number; size: number } | undefined;
  let moov: { start: number; size: number } | undefined;
  while (offset + 8 <= bytes.length) {
    const size = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    if (size < 8) throw new Error(`unsupported box size ${size} at ${offset} in ${source}`);
    if (type === 'mdat') mdat = { start: offset, size };
    if (type === 'moov') moov = { start: offset, size };
    offset += size;
  }
  if (!mdat || !moov || moov.start < mdat.start) throw new Error(`${source} has no mdat followed by moov`);
  const padding = sizeBytes - bytes.length;
  if (padding < 0 || mdat.size + padding > 0xffffffff) throw new Error(`cannot pad ${source} to ${sizeBytes} bytes`);
  const head = Buffer.from(bytes.subarray(0, mdat.start + mdat.size));
  head.writeUInt32BE(mdat.size + padding, mdat.start);
  const output = await open(target, 'w');
  await output.write(head, 0, head.length, 0);
  const tail = bytes.subarray(mdat.start + mdat.size);
  await output.write(tail, 0, tail.length, head.length + padding);
  await output.close();
}

/**
 * An MP4-looking head (an ftyp box) followed by pseudo-random bytes: passes the command API's
 * video check without being a video, the same bytes for the same size on every run.
 */
export function syntheticVideo(size: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4) bytes.writeUInt32LE((Math.imul(i + 1, 2654435761) ^ (i >>> 7)) >>> 0, Math.min(i, size - 4));
  bytes.write('\x00\x00\x00\x18ftypisom', 0, 'latin1');
  return bytes;
}
