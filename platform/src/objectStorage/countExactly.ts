import { type Readable, Transform, pipeline, type TransformCallback } from 'node:stream';

/**
 * The body held a different number of bytes than announced. The upload is failed before it is
 * completed, so a truncated source never becomes a complete-looking object.
 */
export class UploadSizeMismatch extends Error {
  override readonly name = 'UploadSizeMismatch';
}

/**
 * Passes `body` through, failing the stream (before the last part can be completed) when it
 * carries more or fewer bytes than `sizeBytes`. `failure()` is the first error the stream saw:
 * the body's own, or the size mismatch.
 */
export function countExactly(body: Readable, sizeBytes: number): Transform & { failure(): Error | undefined } {
  let seen = 0;
  let failure: Error | undefined;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      seen += chunk.length;
      if (seen > sizeBytes) return callback(new UploadSizeMismatch(`body is longer than the announced ${sizeBytes} bytes`));
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      if (seen !== sizeBytes) return callback(new UploadSizeMismatch(`body ended after ${seen} of ${sizeBytes} bytes`));
      callback();
    },
  });
  // Registered before lib-storage starts reading, so it runs before the upload learns of the error.
  counter.once('error', (error) => {
    failure ??= error;
  });
  // pipeline carries the body's errors into the counter and destroys the body when we give up.
  pipeline(body, counter, () => {});
  return Object.assign(counter, { failure: () => failure });
}
