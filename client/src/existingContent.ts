import { httpErrorOf } from './errors';
import type { ApiTransport } from './http';
import type { VideoId, VideoStatus } from './types';

/** The header in which the command API says what an upload's creation found (`video` or `upload`). */
export const DUPLICATE_HEADER = 'Reelay-Duplicate';

/** What creating an upload of content with a known SHA-256 gave. */
export type Creation =
  /** A new tus upload: send every byte to it. */
  | { readonly kind: 'created'; readonly uploadUrl: string }
  /** The user's unfinished upload of the same content (any device): resume it. */
  | { readonly kind: 'upload'; readonly uploadUrl: string; readonly offset: number; readonly videoId: VideoId }
  /** The user already has this video: nothing to send. */
  | { readonly kind: 'video'; readonly videoId: VideoId; readonly status: VideoStatus };

const MAX_BUSY_ROUNDS = 10;

const base64 = (text: string) => {
  // btoa takes Latin-1: encode UTF-8 first, so titles in any script survive.
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
};

/**
 * Creates a tus upload (`POST /v1/uploads`, no body) with the file's SHA-256 in its metadata. The
 * answer is a new upload (201), or — when the user already has that content — the video or the
 * upload to resume (200), so that not a byte of the file is sent again. While another of the
 * user's devices is creating the same upload at that very moment the server answers 409: ask again.
 */
export async function createUpload(transport: ApiTransport, sizeBytes: number, metadata: Record<string, string>): Promise<Creation> {
  const endpoint = `${transport.commandApiUrl}/v1/uploads`;
  const uploadMetadata = Object.entries(metadata)
    .map(([key, value]) => `${key} ${base64(value)}`)
    .join(',');
  for (let round = 0; ; round += 1) {
    const response = await transport.send(endpoint, {
      method: 'POST',
      headers: { 'tus-resumable': '1.0.0', 'upload-length': String(sizeBytes), 'upload-metadata': uploadMetadata },
    });
    if (response.status === 409 && round < MAX_BUSY_ROUNDS) {
      await response.body?.cancel().catch(() => undefined);
      const seconds = Number(response.headers.get('retry-after')) || 1;
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
      continue;
    }
    if (response.status === 201) {
      await response.body?.cancel().catch(() => undefined);
      return { kind: 'created', uploadUrl: new URL(response.headers.get('location') ?? '', endpoint).toString() };
    }
    if (response.status !== 200) throw await httpErrorOf(response);
    const found = (await response.json()) as { duplicate: 'video' | 'upload'; videoId: VideoId; status: VideoStatus; uploadUrl: string | null; uploadOffset: number | null };
    if (found.duplicate === 'video') return { kind: 'video', videoId: found.videoId, status: found.status };
    return { kind: 'upload', uploadUrl: new URL(found.uploadUrl ?? '', endpoint).toString(), offset: found.uploadOffset ?? 0, videoId: found.videoId };
  }
}
