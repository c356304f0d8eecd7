import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Server } from '@tus/server';
import type { Locker, Upload } from '@tus/utils';
import { UserId, VideoId } from '@reelay/contracts';
import { UserErased, type EventStore, type StagingStore } from '@reelay/platform';
import { erasedAccountDetail } from '../requestUpload/erasedAccount';
import { recordUploadRequested, type RecordUploadDeps } from '../requestUpload/recordUploadRequested';
import { stagingNameFor, videoIdOfStagingName } from '../requestUpload/stagingName';
import type { StagingTusStore } from './stagingTusStore';
import { tusError } from './stagingTusStore';
import type { OpenUploads } from './openUploads';
import type { TusArea } from './tusArea';
import { describeUpload } from './uploadMetadata';
import { ContentMismatch, type ContentClaims } from '../contentDedupe/contentClaims';
import { findOwner, ownerOf, withOwner } from './uploadOwner';

export const UPLOADS_PATH = '/v1/uploads';
/** The response header that names the video a tus upload becomes. */
export const VIDEO_ID_HEADER = 'Reelay-Video-Id';
/** Upload URL names: `<videoId>-<8 hex>`, as staged files are named. */
export const UPLOAD_NAME = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-[0-9a-f]{8}$/;

/** Who is asking, set by the fastify route before the request reaches @tus/server. */
export interface TusRequestContext {
  readonly userId: UserId;
  /**
   * The store id of the upload the route authorised (HEAD, PATCH, DELETE); the only id tus acts
   * on. tus' own reading of the URL (the last segment of the whole target, query included) is
   * never used: two parsers reading one request differently let `/v1/uploads/<own>?x=/<other's>`
   * pass the owner check on one upload and act on another.
   */
  readonly uploadId?: string;
  readonly requestId: string;
  readonly onRecorded: (videoId: VideoId) => Promise<void>;
  readonly onCleanupError: (error: unknown) => void;
}

export interface TusServerDeps {
  readonly store: StagingTusStore;
  readonly area: TusArea;
  readonly events: EventStore;
  /** Seals the title and file name before UploadRequested is recorded. */
  readonly personalData: RecordUploadDeps['personalData'];
  readonly staging: StagingStore;
  readonly maxUploadBytes: number;
  readonly contexts: WeakMap<IncomingMessage, TusRequestContext>;
  /** Upload locks shared by every command API process (PostgresLocker), so any of them may serve any request. */
  readonly locker: Locker;
  /** Checks the bytes against the SHA-256 the upload was created with. */
  readonly claims?: ContentClaims;
  /** Each user's places for unfinished uploads, shared by every command API process. */
  readonly openUploads: OpenUploads;
}

/** The video id a tus upload (by store id) is for. */
export function videoIdOfUpload(area: TusArea, id: string): VideoId | undefined {
  return videoIdOfStagingName(area.nameOf(id));
}

/**
 * @tus/server for `/v1/uploads`: creation (with upload), termination, expiration and deferred
 * length on the staging area. The video id is allocated at creation: the upload's URL is
 * `/v1/uploads/<videoId>-<suffix>` and the POST answers it in `Reelay-Video-Id`; the upload's
 * record keeps the metadata as sent, and its owner (see uploadOwner). When the last byte is stored, the same
 * `UploadRequested` as `POST /v1/videos` is recorded.
 */
export function createTusServer(deps: TusServerDeps): Server {
  const contextIfAny = (req: unknown): TusRequestContext | undefined => {
    const raw = (req as { runtime?: { node?: { req?: IncomingMessage } } }).runtime?.node?.req;
    return raw && deps.contexts.get(raw);
  };
  const contextOf = (req: unknown): TusRequestContext => {
    const context = contextIfAny(req);
    if (!context) throw new Error('tus request without a Reelay request context');
    return context;
  };

  return new Server({
    path: UPLOADS_PATH,
    datastore: deps.store,
    maxSize: deps.maxUploadBytes,
    relativeLocation: true,
    disableTerminationForFinishedUploads: true,
    exposedHeaders: [VIDEO_ID_HEADER],
    // Shared by every command API process: a request for an upload that another process is
    // writing (a phone that reconnected elsewhere) makes that process end its request and let go.
    locker: deps.locker,
    namingFunction: () => deps.area.idFor(stagingNameFor(VideoId.parse(randomUUID()))),
    generateUrl: (_req, { path, id }) => `${path}/${deps.area.nameOf(id)}`,
    // Only the id the route authorised: tus' own reading of the URL is ignored (see TusRequestContext.uploadId).
    getFileIdFromRequest: (req) => contextIfAny(req)?.uploadId,
    // Ownership again, inside tus, on the id it is about to act on: the upload's creator, as recorded at creation.
    async onIncomingRequest(req, id) {
      if (req.method === 'POST') return;
      const context = contextOf(req);
      if (id !== context.uploadId || (await findOwner(deps.store, id)) !== context.userId) throw tusError(404, 'no such upload of yours');
    },
    async onUploadCreate(req, upload) {
      const { userId } = contextOf(req);
      // Kept as the client sent it (HEAD answers it back), with the owner under a reserved key.
      const metadata = withOwner(upload.metadata, userId);
      // Otherwise tus finishes it at once, and no video check ever sees a byte.
      if (upload.size === 0) throw tusError(400, 'Upload-Length is 0: an empty file is not a video; nothing was created');
      describeUpload(upload.metadata);
      const { maxPerUser } = deps.openUploads.options;
      if (!(await deps.openUploads.tryOpen(userId, upload.id))) {
        throw tusError(429, `at most ${maxPerUser} unfinished uploads per user may be open; finish or terminate one (DELETE its URL), or wait for one to expire`);
      }
      return { metadata };
    },
    async onUploadFinish(req, upload) {
      const context = contextOf(req);
      // Under its creator, never under whoever sent the last bytes (they are the same once the checks above hold).
      const creator = ownerOf(upload);
      if (!creator || creator !== context.userId) throw tusError(404, 'no such upload of yours');
      // A repeated last PATCH of a finished upload: answered as the first was, recorded once.
      if (!deps.store.wasCompleteWhenRead(upload)) await recordFinishedUpload(deps, { ...context, userId: UserId.parse(creator) }, upload);
      await deps.openUploads.close(upload.id);
      return { headers: { [VIDEO_ID_HEADER]: videoIdOfUpload(deps.area, upload.id) ?? '' } };
    },
  });
}

/** Hands the complete upload to staging and records `UploadRequested`; on failure keeps nothing. */
async function recordFinishedUpload(deps: TusServerDeps, context: TusRequestContext, upload: Upload): Promise<void> {
  const videoId = videoIdOfUpload(deps.area, upload.id);
  const size = upload.size ?? upload.offset;
  if (!videoId) throw tusError(404, 'unknown upload');
  const ref = await deps.area.handOver(upload);
  try {
    const sha256 = deps.store.takeSha256(upload.id, size) ?? (await sha256Of(deps.staging, ref));
    const description = describeUpload(upload.metadata);
    await recordUploadRequested({ store: deps.events, personalData: deps.personalData, claims: deps.claims }, {
      videoId,
      userId: context.userId,
      metaInfo: { ...description, sizeBytes: size, sha256 },
      stagingRef: ref,
      requestId: context.requestId,
    });
  } catch (error) {
    await deps.staging.remove(ref).catch(context.onCleanupError);
    await deps.store.remove(upload.id).catch(context.onCleanupError);
    // tus's checksum extension answers a mismatch with 460; the client must not resume it.
    if (error instanceof ContentMismatch) throw tusError(460, error.message);
    // The user was forgotten before the last byte arrived: the upload is gone, not to be resumed.
    if (error instanceof UserErased) throw tusError(403, erasedAccountDetail(context.userId));
    context.onCleanupError(error);
    throw tusError(503, 'the upload could not be recorded (the event store is unavailable); nothing was kept, please upload again');
  }
  await context.onRecorded(videoId);
}

/** Streams a staged file through SHA-256: for uploads resumed in another process. */
async function sha256Of(staging: StagingStore, ref: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of await staging.read(ref)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
