import type { S3Client } from '@aws-sdk/client-s3';
import { SourceSizeMismatch } from './exactReader';
import { headObject, unwrapCopyUnsupported, wrap } from './multipartSteps';
import type { ResumedObject } from './objectStorage';
import { copyObject, type CopySource } from './partCopy';
import type { ResumableUploadOptions } from './resumableUpload';

/**
 * The whole source copied onto the key with one CopyObject; undefined when the store cannot copy
 * objects (the caller goes on in parts). Nothing is journalled: a copy cut short by a crash is
 * repeated whole by the next attempt, and repeating it gives the same object.
 */
export async function copyWholeObject(client: S3Client, options: ResumableUploadOptions & { readonly copySource: CopySource }): Promise<ResumedObject | undefined> {
  const { bucket, key, sizeBytes, signal, copySource } = options;
  try {
    const copiedEtag = await wrap(`copying ${copySource.bucket}/${copySource.key} into ${bucket}/${key}`, () =>
      copyObject({ client, bucket, key, source: copySource, contentType: options.contentType, signal }),
    );
    const head = await headObject(client, bucket, key, signal);
    if (head?.size !== sizeBytes) {
      throw new SourceSizeMismatch(`the copy of ${copySource.bucket}/${copySource.key} holds ${head?.size ?? 'no'} bytes, not the announced ${sizeBytes}`);
    }
    options.onProgress?.({ uploadedBytes: sizeBytes, totalBytes: sizeBytes, sentBytes: 0 });
    return { bucket, key, etag: copiedEtag || head.etag, resumedBytes: 0, sentBytes: 0, copiedBytes: sizeBytes };
  } catch (error) {
    if (signal?.aborted) throw signal.reason ?? error;
    const unsupported = unwrapCopyUnsupported(error);
    if (unsupported) {
      options.onCopyUnsupported?.(unsupported, 'object');
      return undefined;
    }
    // The staged copy is removed once the video is stored: an earlier attempt may have copied it
    // and lost the answer. The key is this video's, so the right size is the object.
    const head = await headObject(client, bucket, key, signal).catch(() => undefined);
    if (!(error instanceof SourceSizeMismatch) && head?.size === sizeBytes && head.etag) {
      return { bucket, key, etag: head.etag, resumedBytes: sizeBytes, sentBytes: 0, copiedBytes: 0 };
    }
    throw error;
  }
}
