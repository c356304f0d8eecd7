import { decideRequestUpload, newEvent, videoStreamName, type MetaInfo, type UserId, type VideoId } from '@reelay/contracts';
import type { PersonalDataVault } from '@reelay/platform';
import type { EventStore } from '@reelay/event-store';
import type { ContentClaims } from '../contentDedupe/contentClaims';

/** What a complete, staged upload asks to have stored; the same for every way bytes arrive. */
export interface UploadRequest {
  readonly videoId: VideoId;
  readonly userId: UserId;
  /** As the user gave it: the title and file name are sealed before they reach the log. */
  readonly metaInfo: MetaInfo;
  readonly stagingRef: string;
  /** The HTTP request that completed the upload: correlation and causation of the event. */
  readonly requestId: string;
  /** The SHA-256 the client declared in a header (tus declares it at creation, in the claim). */
  readonly declaredSha256?: string;
}

export interface RecordUploadDeps {
  readonly store: EventStore;
  /** Seals the user's personal fields and records them unless the user was forgotten; the PersonalDataVault in production. */
  readonly personalData: Pick<PersonalDataVault, 'recordSealed'>;
  /** Content already claimed per user: checks a declared hash, and remembers what is recorded. */
  readonly claims?: ContentClaims;
}

/**
 * The one place `UploadRequested` is made and appended, for every way bytes arrive. The title and
 * file name are sealed here with the user's data key, so nothing a user typed reaches the log in
 * plaintext and `reelay forget-user` can erase it by destroying the key. The append happens while
 * the user's keys are held (PersonalDataVault.recordSealed): a forgotten user's upload throws
 * UserErased and records nothing, and one recorded before the forget is found by its scan. The
 * stream must not exist yet: a second request for the same video id fails with WrongExpectedVersion.
 */
export async function recordUploadRequested(deps: RecordUploadDeps, request: UploadRequest): Promise<void> {
  const { videoId, userId, stagingRef, requestId } = request;
  // Throws ContentMismatch before anything is recorded: the caller removes what it staged.
  await deps.claims?.verify(videoId, request.metaInfo.sha256, request.declaredSha256);
  await deps.personalData.recordSealed(userId, videoId, request.metaInfo, async (metaInfo) => {
    // Decided on an empty stream without reading it: the append's `no_stream` checks that it is.
    const events = decideRequestUpload({ videoId, userId, metaInfo, stagingRef }, undefined);
    const metadata = { correlationId: requestId, causationId: requestId, userId };
    await deps.store.appendToStream(videoStreamName(videoId), events.map((event) => newEvent(event, metadata)), { expectedRevision: 'no_stream' });
  });
  // The video is recorded: failing now would tell the client otherwise. A claim not written
  // costs at most a second copy of this content later, never this upload.
  await deps.claims?.recorded(userId, request.metaInfo.sha256, videoId).catch(() => undefined);
}
