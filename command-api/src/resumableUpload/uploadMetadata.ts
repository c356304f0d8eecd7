import type { Upload } from '@tus/utils';
import { RequestUploadQuery } from '../requestUpload/uploadQuery';
import { tusError } from './stagingTusStore';

const VIDEO_TYPE = /^video\/[a-z0-9.+-]+$/i;

export interface UploadDescription {
  readonly title: string;
  readonly fileName: string;
  readonly contentType: string;
}

/**
 * The video's title, file name and type from `Upload-Metadata`, under the rules of
 * `POST /v1/videos`' query. Accepts tus-js-client's and Uppy's usual keys (`filename`,
 * `filetype`) beside ours (`fileName`, `contentType`). Throws a tus error (400/415) otherwise.
 */
export function describeUpload(metadata: Upload['metadata']): UploadDescription {
  const given = metadata ?? {};
  const fileName = given.fileName ?? given.filename ?? undefined;
  const parsed = RequestUploadQuery.safeParse({ title: given.title ?? undefined, fileName });
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw tusError(400, `Upload-Metadata must carry a title and a fileName (or filename), base64-encoded: ${issues}`);
  }
  const contentType = (given.contentType ?? given.filetype ?? 'video/mp4').split(';')[0]?.trim().toLowerCase() ?? 'video/mp4';
  if (!VIDEO_TYPE.test(contentType)) throw tusError(415, `Upload-Metadata filetype ${JSON.stringify(contentType)} is not a video/* type`);
  return { title: parsed.data.title, fileName: parsed.data.fileName, contentType };
}
