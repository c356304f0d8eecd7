import { decideRequestUpload, newEvent, videoStreamName, type MetaInfo, type UserId, type VideoId } from '@reelay/contracts';
import type { PersonalDataVault } from '@reelay/platform';
import { DuplicateEventId, WrongExpectedVersion, type EventStore } from '@reelay/event-store';
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
 * The append may have committed, but its answer was lost (the connection broke after the request
 * went out, or the key store's transaction failed after the append's own commit), and the log
 * could not be read to say. The staged copy must stay: if the video was recorded, the uploader
 * needs it; if not, the staging sweeper removes it once the log answers again.
 */
export class RecordOutcomeUnknown extends Error {
  override readonly name = 'RecordOutcomeUnknown';
}

/**
 * The one place `UploadRequested` is made and appended, for every way bytes arrive. The title and
 * file name are sealed here with the user's data key, so nothing a user typed reaches the log in
 * plaintext and `reelay forget-user` can erase it by destroying the key. The append happens while
 * the user's keys are held (PersonalDataVault.recordSealed): a forgotten user's upload throws
 * UserErased and records nothing, and one recorded before the forget is found by its scan. The
 * stream must not exist yet: a second request for the same video id fails with WrongExpectedVersion.
 *
 * Resolves once the event is in the log, even when the append itself failed after committing it.
 * Throws only when nothing was recorded, or with RecordOutcomeUnknown when that cannot be told.
 */
export async function recordUploadRequested(deps: RecordUploadDeps, request: UploadRequest): Promise<void> {
  const { videoId, userId, stagingRef, requestId } = request;
  // Throws ContentMismatch before anything is recorded: the caller removes what it staged.
  await deps.claims?.verify(videoId, request.metaInfo.sha256, request.declaredSha256);
  let appendedId: string | undefined;
  try {
    await deps.personalData.recordSealed(userId, videoId, request.metaInfo, async (metaInfo) => {
      // Decided on an empty stream without reading it: the append's `no_stream` checks that it is.
      const metadata = { correlationId: requestId, causationId: requestId, userId };
      const events = decideRequestUpload({ videoId, userId, metaInfo, stagingRef }, undefined).map((event) => newEvent(event, metadata));
      appendedId = events[0]?.id;
      await deps.store.appendToStream(videoStreamName(videoId), events, { expectedRevision: 'no_stream' });
    });
  } catch (error) {
    if (!(await appendCommittedDespite(error, deps.store, videoId, appendedId))) throw error;
  }
  // The video is recorded: failing now would tell the client otherwise. A claim not written
  // costs at most a second copy of this content later, never this upload.
  await deps.claims?.recorded(userId, request.metaInfo.sha256, videoId).catch(() => undefined);
}

/**
 * Whether the event whose append failed with `error` is in the log all the same. A refusal by the
 * store (the stream existed, the id was taken) or a failure before the append was tried records
 * nothing; any other failure may have come after the commit, so the log is asked.
 */
async function appendCommittedDespite(error: unknown, store: EventStore, videoId: VideoId, appendedId: string | undefined): Promise<boolean> {
  if (appendedId === undefined || error instanceof WrongExpectedVersion || error instanceof DuplicateEventId) return false;
  const [first] = await store.readStream(videoStreamName(videoId), { maxCount: 1 }).catch((readError: unknown) => {
    const told = `${(error as Error).message}; the log could not be read to tell (${(readError as Error).message})`;
    throw new RecordOutcomeUnknown(`the upload of video ${videoId} may or may not have been recorded: ${told}`, { cause: error });
  });
  return first?.id === appendedId;
}
