import { HttpError, StagingBodyCutOff, StagingBodyStalled, StagingWriteFailed, UploadTooLarge } from '@reelay/platform';

/** The first bytes are not a video container (or there are none). */
export class NotAVideo extends Error {
  override readonly name = 'NotAVideo';
}

/** The HTTP answer for each way staging a body can fail; nothing was recorded or kept in any of them. */
export function problemForStagingFailure(error: unknown, maxUploadBytes: number): HttpError {
  if (error instanceof NotAVideo) return new HttpError(415, 'not-a-video', error.message);
  if (error instanceof UploadTooLarge) return new HttpError(413, 'too-large', `the video is larger than ${maxUploadBytes} bytes`);
  if (error instanceof StagingBodyStalled) {
    return new HttpError(408, 'request-timeout', `the body stopped arriving (${error.message}); nothing was recorded`, {}, { cause: error });
  }
  if (error instanceof StagingBodyCutOff) {
    return new HttpError(400, 'body-incomplete', 'the request body ended before all of it arrived; nothing was recorded', {}, { cause: error });
  }
  if (error instanceof StagingWriteFailed && (error.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOSPC') {
    return new HttpError(507, 'insufficient-storage', 'the staging area is full; nothing was recorded, please retry later', { 'retry-after': '60' }, { cause: error });
  }
  return new HttpError(503, 'unavailable', 'the video could not be staged; nothing was recorded, please retry', { 'retry-after': '5' }, { cause: error });
}
