import type { VideoStatus } from '@reelay/contracts';
import type { ContentClaim } from './contentClaims';

/** A `creating` claim older than this belongs to a creation that died (a crashed process). */
export const CREATING_TIMEOUT_MS = 30_000;

/** What the log and the tus store say about the thing a claim points at. */
export interface ClaimSubject {
  /** The video's status in the log; undefined when its stream does not exist (yet). */
  readonly status: VideoStatus | undefined;
  /** The tus upload: its offset and size, `finished` when all bytes are in, `gone` when it no longer exists. */
  readonly upload: { readonly offset: number; readonly size: number | undefined } | 'finished' | 'gone' | undefined;
}

export type DuplicateAnswer =
  | { readonly kind: 'video'; readonly videoId: string; readonly status: VideoStatus }
  | { readonly kind: 'upload'; readonly videoId: string; readonly uploadName: string; readonly offset: number; readonly size: number | undefined }
  /** Another request is creating, or finishing, the same content right now: ask again in a moment. */
  | { readonly kind: 'busy' }
  /** The claim points at nothing usable any more: drop it, and upload as new. */
  | { readonly kind: 'stale' };

const LIVE: readonly VideoStatus[] = ['PENDING', 'LOADING', 'UPLOADED'];

/**
 * What a new upload of content the user has a claim on should get. Pure. A deleted or failed
 * video is not reused (the user deleted it; a failed one is uploaded afresh), and an upload is
 * pointed at only while it exists and is unfinished.
 */
export function decideDuplicate(claim: ContentClaim, subject: ClaimSubject): DuplicateAnswer {
  if (claim.state === 'creating') return claim.ageMs < CREATING_TIMEOUT_MS ? { kind: 'busy' } : { kind: 'stale' };
  if (!claim.videoId) return { kind: 'stale' };
  if (subject.status !== undefined) {
    return LIVE.includes(subject.status) ? { kind: 'video', videoId: claim.videoId, status: subject.status } : { kind: 'stale' };
  }
  if (claim.state === 'recorded' || !claim.uploadName) return { kind: 'stale' };
  const upload = subject.upload;
  if (upload === 'finished') return { kind: 'busy' };
  if (upload === 'gone' || upload === undefined) return { kind: 'stale' };
  return { kind: 'upload', videoId: claim.videoId, uploadName: claim.uploadName, offset: upload.offset, size: upload.size };
}
