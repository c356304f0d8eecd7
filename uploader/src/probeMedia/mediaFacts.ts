import type { MediaFacts } from '@reelay/contracts';

/** The part of a MediaInfoLib track this module reads (its JSON "object" output). */
export interface MediaInfoTrack {
  readonly '@type': string;
  readonly Format?: string;
  readonly Format_Profile?: string;
  readonly CodecID?: string;
  readonly Duration?: number | string;
  readonly Width?: number | string;
  readonly Height?: number | string;
  readonly Rotation?: number | string;
  readonly FrameRate?: number | string;
}

/** MediaInfoLib's format names → ffmpeg's codec names, which apps and ffprobe users know. */
const CODEC_NAMES: Readonly<Record<string, string>> = {
  avc: 'h264',
  hevc: 'hevc',
  'vp8': 'vp8',
  'vp9': 'vp9',
  av1: 'av1',
  'mpeg-4 visual': 'mpeg4',
  'mpeg video': 'mpeg2video',
  prores: 'prores',
  'apple prores': 'prores',
  theora: 'theora',
  aac: 'aac',
  opus: 'opus',
  vorbis: 'vorbis',
  'mpeg audio': 'mp3',
  'ac-3': 'ac3',
  'e-ac-3': 'eac3',
  flac: 'flac',
  alac: 'alac',
  pcm: 'pcm',
};

/** Thrown for a file whose container MediaInfoLib does not recognise, or that holds no video track. */
export class UnreadableContainer extends Error {
  override readonly name = 'UnreadableContainer';
}

const num = (value: number | string | undefined): number | null => {
  const parsed = typeof value === 'number' ? value : value === undefined ? NaN : Number.parseFloat(value);
  return Number.isFinite(parsed) ? parsed : null;
};

function codecName(track: MediaInfoTrack | undefined): string | null {
  if (!track?.Format) return null;
  return CODEC_NAMES[track.Format.toLowerCase()] ?? track.Format.toLowerCase();
}

function containerName(general: MediaInfoTrack): string {
  const format = (general.Format ?? '').toLowerCase();
  if (format === 'mpeg-4') return general.Format_Profile === 'QuickTime' || general.CodecID?.trim() === 'qt' ? 'mov' : 'mp4';
  if (format === 'webm') return 'webm';
  if (format === 'matroska') return 'matroska';
  return format;
}

/** MediaInfoLib's rotation (clockwise degrees, a float such as "270.000") → the nearest quarter turn. */
function quarterTurns(rotation: number | null): MediaFacts['rotation'] {
  const degrees = (((Math.round((rotation ?? 0) / 90) * 90) % 360) + 360) % 360;
  return degrees as MediaFacts['rotation'];
}

/**
 * The facts of one file from MediaInfoLib's tracks. Pure: the parser's output in, the event's
 * facts out. A file with no general track, no recognised format or no video track is refused
 * (`UnreadableContainer`): Reelay stores videos, and a guess would be worse than "unknown".
 */
export function mediaFactsOf(tracks: readonly MediaInfoTrack[]): MediaFacts {
  const general = tracks.find((t) => t['@type'] === 'General');
  const video = tracks.find((t) => t['@type'] === 'Video');
  const audio = tracks.find((t) => t['@type'] === 'Audio');
  if (!general?.Format) throw new UnreadableContainer('the file is not in a container the parser recognises');
  if (!video) throw new UnreadableContainer(`the ${general.Format} file holds no video track`);
  const seconds = num(general.Duration) ?? num(video.Duration);
  const width = num(video.Width);
  const height = num(video.Height);
  const frameRate = num(video.FrameRate);
  return {
    container: containerName(general),
    durationMs: seconds === null ? null : Math.round(seconds * 1000),
    width: width && width > 0 ? Math.round(width) : null,
    height: height && height > 0 ? Math.round(height) : null,
    rotation: quarterTurns(num(video.Rotation)),
    frameRate: frameRate && frameRate > 0 ? Math.round(frameRate * 1000) / 1000 : null,
    videoCodec: codecName(video),
    audioCodec: codecName(audio),
  };
}
