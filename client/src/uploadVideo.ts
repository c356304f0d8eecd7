import { Upload, defaultOptions, type HttpResponse } from 'tus-js-client';
import type { ApiTransport } from './http';
import type { UploadUrlStorage } from './urlStorage';
import type { VideoId } from './types';
import { hashContent, HashingStopped } from './contentHash';
import { createUpload } from './existingContent';

/**
 * A video to upload: a `Blob`/`File` (browsers), a React Native file (`{uri, name, type, size}`,
 * read by tus-js-client through `fetch(uri)`), or bytes.
 */
export type UploadSource = Blob | { readonly uri: string; readonly name?: string; readonly type?: string; readonly size?: number } | Uint8Array;

export interface UploadProgress {
  /** Bytes the server has (or that are on their way to it) out of the file's size. */
  readonly bytesSent: number;
  readonly bytesTotal: number;
}

export interface UploadOptions {
  readonly title: string;
  readonly fileName: string;
  /** Defaults to the file's own type, else `video/mp4`. The server checks the bytes either way. */
  readonly contentType?: string;
  readonly onProgress?: (progress: UploadProgress) => void;
  /**
   * The video's id, as soon as the server has named it (the upload's creation, or a resumed
   * upload's URL): the app can follow the video while its bytes are still arriving.
   */
  readonly onVideoId?: (videoId: VideoId) => void;
  /** A stored upload of the same file was found; the server already had this many bytes of it. */
  readonly onResume?: (offsetBytes: number) => void;
  /** Delays between tries after a lost connection (tus-js-client's `retryDelays`); `[]` fails at once. */
  readonly retryDelays?: readonly number[];
  /** Bytes per PATCH request; unbounded by default (one request, resumed where it was cut). */
  readonly chunkSize?: number;
  /**
   * `false` skips hashing the file: no check for content the user already has (another device,
   * a re-export with a new name), and the upload starts without waiting for the hash.
   */
  readonly findDuplicates?: boolean;
}

export interface UploadResult {
  readonly videoId: VideoId;
  /** Where the bytes went (the tus upload's URL). */
  readonly uploadUrl: string;
  /** The offset an earlier, interrupted upload of the same file was resumed from; undefined for a fresh upload. */
  readonly resumedFromBytes: number | undefined;
  /**
   * Set when the user already had this content: `video` — it is that video, and no byte was
   * sent; `upload` — an unfinished upload of it (this or another device) was resumed.
   */
  readonly duplicateOf?: 'video' | 'upload';
}

/** An upload in flight. */
export interface UploadHandle {
  readonly done: Promise<UploadResult>;
  /** Stops sending but keeps the server's copy and the stored URL: uploading the same file again resumes. */
  pause(): Promise<void>;
  /** Stops, deletes the partial upload on the server and forgets it. */
  cancel(): Promise<void>;
}

/** `done` of an upload paused or cancelled by the app. */
export class UploadStopped extends Error {
  override readonly name = 'UploadStopped';
}

/** The header in which the command API names the video a finished tus upload became. */
export const VIDEO_ID_HEADER = 'Reelay-Video-Id';

const UUID_AT_START = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** The command API names tus uploads `/v1/uploads/<videoId>-<suffix>`. */
export function videoIdInUploadUrl(uploadUrl: string | null): string | null {
  const name = uploadUrl?.split('?')[0]?.split('/').pop() ?? '';
  return UUID_AT_START.exec(name)?.[0] ?? null;
}

const DEFAULT_RETRY_DELAYS = [0, 1000, 3000, 5000, 10_000, 20_000];

function typeOf(source: UploadSource): string | undefined {
  return 'type' in source && typeof source.type === 'string' && source.type !== '' ? source.type : undefined;
}

/**
 * Uploads a video over tus 1.0 (`/v1/uploads` on the command API) with tus-js-client. The
 * upload's URL is stored under the file's fingerprint (scoped to `fingerprintScope`, e.g. the
 * user, so two accounts on one device never resume each other's uploads); starting the same file
 * again — after a lost connection, `pause()`, or an app restart with persistent storage — asks
 * the server for its offset (`HEAD`) and sends only the rest.
 */
export function uploadVideo(
  transport: ApiTransport,
  source: UploadSource,
  options: UploadOptions,
  storage: { readonly urlStorage: UploadUrlStorage; readonly fingerprintScope: string },
): UploadHandle {
  let videoId: string | null = null;
  let resumedFromBytes: number | undefined;
  let announced = false;
  let duplicateOf: UploadResult['duplicateOf'];
  let createdHere = false;
  let stopped = false;
  let resolveDone!: (result: UploadResult) => void;
  let rejectDone!: (error: Error) => void;
  const done = new Promise<UploadResult>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });

  const noteVideoId = (response: HttpResponse) => {
    videoId = response.getHeader(VIDEO_ID_HEADER) ?? videoId;
  };
  // The header comes with the creation (POST) only; a resumed upload finds it in its URL.
  const videoIdOf = (uploadUrl: string | null) => videoId ?? videoIdInUploadUrl(uploadUrl);

  const upload = new Upload(source as Blob, {
    endpoint: `${transport.commandApiUrl}/v1/uploads`,
    metadata: { title: options.title, fileName: options.fileName, filetype: options.contentType ?? typeOf(source) ?? 'video/mp4' },
    urlStorage: storage.urlStorage,
    fingerprint: async (file, tusOptions) => `reelay:${storage.fingerprintScope}:${await defaultOptions.fingerprint(file, tusOptions)}`,
    storeFingerprintForResuming: true,
    removeFingerprintOnSuccess: true,
    retryDelays: [...(options.retryDelays ?? DEFAULT_RETRY_DELAYS)],
    ...(options.chunkSize ? { chunkSize: options.chunkSize } : {}),
    onBeforeRequest: async (request) => {
      request.setHeader('Authorization', await transport.authorization());
    },
    onAfterResponse: (request, response) => {
      noteVideoId(response);
      // The HEAD after a creation of our own is no resume: the upload is new.
      if (request.getMethod() === 'HEAD' && !createdHere && resumedFromBytes === undefined && response.getStatus() < 300) {
        resumedFromBytes = Number(response.getHeader('Upload-Offset'));
        options.onResume?.(resumedFromBytes);
      }
    },
    onUploadUrlAvailable: () => {
      const id = videoIdOf(upload.url);
      if (id && !announced) {
        announced = true;
        options.onVideoId?.(id as VideoId);
      }
    },
    onProgress: (bytesSent, bytesTotal) => options.onProgress?.({ bytesSent, bytesTotal }),
    onSuccess: ({ lastResponse }) => {
      noteVideoId(lastResponse);
      const id = videoIdOf(upload.url);
      if (!id) return rejectDone(new Error(`the upload finished but the server named no video (${VIDEO_ID_HEADER})`));
      resolveDone({ videoId: id as VideoId, uploadUrl: upload.url ?? '', resumedFromBytes, ...(duplicateOf ? { duplicateOf } : {}) });
    },
    onError: (error) => rejectDone(error),
  });

  const begin = async () => {
    const previous = await upload.findPreviousUploads();
    const latest = previous.sort((a, b) => b.creationTime.localeCompare(a.creationTime))[0];
    // This device remembers the upload: resume it at once, no hash needed.
    if (latest || options.findDuplicates === false) {
      if (latest) upload.resumeFromPreviousUpload(latest);
      return upload.start();
    }
    // Hash first, then create with the hash: content the user already has is not sent again.
    const { sha256, sizeBytes } = await hashContent(source, () => stopped);
    const metadata = { ...upload.options.metadata, sha256 };
    const creation = await createUpload(transport, sizeBytes, metadata);
    if (stopped) return;
    if (creation.kind === 'video') {
      duplicateOf = 'video';
      options.onVideoId?.(creation.videoId);
      options.onProgress?.({ bytesSent: sizeBytes, bytesTotal: sizeBytes });
      return resolveDone({ videoId: creation.videoId, uploadUrl: '', resumedFromBytes: undefined, duplicateOf });
    }
    if (creation.kind === 'upload') duplicateOf = 'upload';
    else createdHere = true;
    upload.options.metadata = metadata;
    upload.options.uploadUrl = creation.uploadUrl;
    upload.start();
  };
  begin().catch((error: Error) => rejectDone(error instanceof HashingStopped ? new UploadStopped(error.message) : error));

  const stop = async (terminate: boolean) => {
    stopped = true;
    await upload.abort(terminate);
    rejectDone(new UploadStopped(terminate ? 'the upload was cancelled' : 'the upload was paused; upload the same file again to resume'));
  };
  return { done, pause: () => stop(false), cancel: () => stop(true) };
}
