/**
 * ETags of a video's representation. They come from the stream revision the row reflects, so
 * they are cheap (no hashing of the body), stable across a rebuild of the read model, and change
 * whenever the projector applies an event. Notification events change the revision but not the
 * body: a client then gets a 200 with an unchanged body, which is harmless and rare (one per
 * terminal event). The video id keeps one video's tag from ever matching another's.
 */
export function videoEtag(videoId: string, lastRevision: number | string): string {
  return `"${videoId}.${String(lastRevision)}"`;
}

/**
 * Whether an `If-None-Match` header matches `etag`, with the weak comparison RFC 9110 §13.1.2
 * prescribes: `W/` prefixes are ignored, a list matches when any member does, `*` matches any.
 */
export function ifNoneMatchMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
}
