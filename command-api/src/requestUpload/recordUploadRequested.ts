import { videoStreamName, type UserId, type VideoId } from '@reelay/contracts';
import { newEvent, type EventStore } from '@reelay/platform';

/** What a complete, staged upload asks to have stored; the same for `POST /v1/videos` and tus. */
export interface UploadRequest {
  readonly videoId: VideoId;
  readonly userId: UserId;
  readonly metaInfo: { readonly title: string; readonly fileName: string; readonly contentType: string; readonly sizeBytes: number; readonly sha256: string };
  readonly stagingRef: string;
  /** The HTTP request that completed the upload: correlation and causation of the event. */
  readonly requestId: string;
}

/**
 * The one place `UploadRequested` is made and appended, for every way bytes arrive. The stream
 * must not exist yet: a second request for the same video id fails with WrongExpectedVersion.
 */
export async function recordUploadRequested(store: EventStore, request: UploadRequest): Promise<void> {
  const { videoId, userId, metaInfo, stagingRef, requestId } = request;
  const upload = newEvent(
    { type: 'UploadRequested', data: { videoId, userId, metaInfo: { ...metaInfo }, stagingRef } },
    { correlationId: requestId, causationId: requestId, userId },
  );
  await store.appendToStream(videoStreamName(videoId), [upload], { expectedRevision: 'no_stream' });
}
