import type { MediaFacts } from './types';

/** `0:42`, `12:05`, `1:02:03`: a duration as apps show it beside a video. */
export function formatDuration(durationMs: number): string {
  const total = Math.round(durationMs / 1000);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/**
 * One line for a list: `0:42 · 1080p` — the duration, and the picture's shorter side as the
 * usual "p" figure (a portrait 1080×1920 video is 1080p as much as a landscape one). Empty
 * while the facts are unknown.
 */
export function describeMedia(media: MediaFacts | null | undefined): string {
  if (!media) return '';
  const parts: string[] = [];
  if (media.durationMs !== null) parts.push(formatDuration(media.durationMs));
  if (media.width !== null && media.height !== null) parts.push(`${Math.min(media.width, media.height)}p`);
  return parts.join(' · ');
}
