import { ERASED_TEXT } from '@reelay/contracts';

/** What an ETag is made of: the row's video, the stream revision it reflects, what the user typed. */
export interface EtagSource {
  readonly video_id: string;
  readonly last_revision: number | string;
  readonly meta_info: { readonly title: string; readonly fileName: string };
}

/**
 * ETags of a video's representation. They come from the stream revision the row reflects, so
 * they are cheap (no hashing of the body), stable across a rebuild of the read model, and change
 * whenever the projector applies an event. Notification events change the revision but not the
 * body: a client then gets a 200 with an unchanged body, which is harmless and rare (one per
 * terminal event). The video id keeps one video's tag from ever matching another's.
 *
 * `reelay forget-user` changes the body without an event of the video (its title and file name
 * become `[erased]` at the same revision, and a video deleted before has no event left to
 * come), so an erased row's tag says so: a client holding the tag of the title gets a 200 with
 * `[erased]`, not a 304. Derived from the row, not stored beside it, it survives a rebuild, which
 * opens the fields as `[erased]` again. The revision cannot carry it: it is the stream's, and the
 * projector applies an event only at the next one.
 */
export function videoEtag(row: EtagSource): string {
  return `"${row.video_id}.${String(row.last_revision)}${isErased(row.meta_info) ? '.erased' : ''}"`;
}

/** Whether both personal fields read as erased (a title the user typed as `[erased]` alone is not). */
export function isErased(metaInfo: EtagSource['meta_info']): boolean {
  return metaInfo.title === ERASED_TEXT && metaInfo.fileName === ERASED_TEXT;
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
