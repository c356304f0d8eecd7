import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Server } from '@tus/server';
import type { Locker } from '@tus/utils';
import { UserId, VideoId } from '@reelay/contracts';
import type { StagingStore } from '@reelay/platform';
import type { EventStore } from '@reelay/event-store';
import type { RecordUploadDeps } from '../requestUpload/recordUploadRequested';
import { recordFinishedUpload, recordIfUnrecorded } from './recordFinishedUpload';
import { stagingNameFor, videoIdOfStagingName } from '../requestUpload/stagingName';
import type { StagingTusStore } from './stagingTusStore';
import { isComplete, tusError } from './stagingTusStore';
import type { OpenUploads } from './openUploads';
import type { TusArea } from './tusArea';
import { describeUpload } from './uploadMetadata';
import type { ContentClaims } from '../contentDedupe/contentClaims';
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
      if (req.method === 'HEAD') {
        // A HEAD is how a client that lost its last answer asks: a complete upload its process
        // died before recording becomes the video now, before HEAD tells the client "complete".
        const upload = await deps.store.getUpload(id).catch(() => undefined);
        if (upload && isComplete(upload)) await recordIfUnrecorded(deps, context, upload);
      }
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
      const asCreator = { ...context, userId: UserId.parse(creator) };
      // A repeated last PATCH of a finished upload: answered as the first was, recorded once
      // (by the first, unless its process died before recording it).
      if (deps.store.wasCompleteWhenRead(upload)) await recordIfUnrecorded(deps, asCreator, upload);
      else await recordFinishedUpload(deps, asCreator, upload);
      await deps.openUploads.close(upload.id);
      return { headers: { [VIDEO_ID_HEADER]: videoIdOfUpload(deps.area, upload.id) ?? '' } };
    },
  });
}
