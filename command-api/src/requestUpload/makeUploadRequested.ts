import type { NewEvent, UserId, VideoId } from '@reelay/contracts';
import { newEvent, type PersonalDataVault, type StagedFile } from '@reelay/platform';

/** What the command API knows of an accepted upload when it records it. */
export interface AcceptedUpload {
  readonly videoId: VideoId;
  readonly userId: string;
  /** What the user typed: sealed before it enters the log. */
  readonly title: string;
  readonly fileName: string;
  readonly contentType: string;
  readonly staged: StagedFile;
  /** The request's id: the event's correlation and causation. */
  readonly requestId: string;
}

/** Seals a user's personal fields; the PersonalDataVault in production. */
export type PersonalDataSealer = Pick<PersonalDataVault, 'sealMetaInfo'>;

/**
 * The one way an `UploadRequested` is made, whatever route received the bytes (a single POST,
 * a resumable upload): the title and file name are sealed with the user's data key here, so
 * nothing a user typed reaches the log in plaintext and `forget-user` can erase it by
 * destroying the key.
 */
export async function makeUploadRequested(personalData: PersonalDataSealer, upload: AcceptedUpload): Promise<NewEvent> {
  const metaInfo = await personalData.sealMetaInfo(upload.userId, upload.videoId, {
    title: upload.title,
    fileName: upload.fileName,
    contentType: upload.contentType,
    sizeBytes: upload.staged.sizeBytes,
    sha256: upload.staged.sha256,
  });
  return newEvent(
    {
      type: 'UploadRequested',
      data: { videoId: upload.videoId, userId: upload.userId as UserId, metaInfo, stagingRef: upload.staged.ref },
    },
    { correlationId: upload.requestId, causationId: upload.requestId, userId: upload.userId },
  );
}
