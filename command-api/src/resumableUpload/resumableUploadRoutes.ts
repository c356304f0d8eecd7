import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { NodeRequest } from 'srvx/node';
import type { Server } from '@tus/server';
import type { UserId } from '@reelay/contracts';
import { HttpError, SLUGS, closeWaitsFor, zodRoutes, type HttpApp, type OpenApiRouteConfig, type PersonalDataVault } from '@reelay/platform';
import { erasedAccount, refuseErasedAccount } from '../requestUpload/erasedAccount';
import type { UploadSlots } from '../requestUpload/uploadSlots';
import type { StagingTusStore } from './stagingTusStore';
import { UPLOAD_NAME, UPLOADS_PATH, VIDEO_ID_HEADER, type TusRequestContext } from './tusServer';
import type { TusArea } from './tusArea';
import { ownUpload } from './ownUpload';
import { clientMetadataHeader } from './uploadOwner';

export interface ResumableUploadRouteDeps {
  readonly tus: Server;
  readonly store: StagingTusStore;
  readonly area: TusArea;
  readonly slots: UploadSlots;
  /** Whether a user was forgotten: their uploads are not created. */
  readonly personalData: Pick<PersonalDataVault, 'isErased'>;
  readonly contexts: WeakMap<IncomingMessage, TusRequestContext>;
  readonly context: (userId: UserId, requestId: string, log: { error: (obj: unknown, msg: string) => void }, uploadId: string | undefined) => TusRequestContext;
}

const UploadParams = z.object({ uploadId: z.string().max(100) });
const BUSY_RETRY_AFTER_SECONDS = '10';
const TUS_SPEC = 'tus 1.0 (https://tus.io/protocols/resumable-upload)';
const TUS_RESUMABLE = { 'Tus-Resumable': 'The protocol version: 1.0.0' };
const EXPIRES = { 'Upload-Expires': 'When an unfinished upload expires and is removed (RFC 9110 date)' };

/** What the document says about each tus route; @tus/server writes these answers, so they have no body schema. */
const TUS_DOCS = {
  discover: {
    schema: { summary: 'What the tus server supports', description: `${TUS_SPEC}: the versions, extensions and largest upload accepted.` },
    config: {
      public: true,
      documentedResponses: {
        204: {
          description: 'The server’s tus capabilities',
          headers: { ...TUS_RESUMABLE, 'Tus-Version': 'Supported versions', 'Tus-Extension': 'creation, creation-with-upload, creation-defer-length, termination, expiration', 'Tus-Max-Size': 'The largest upload accepted, in bytes' },
        },
      },
    } satisfies OpenApiRouteConfig,
  },
  create: {
    schema: {
      summary: 'Start a resumable upload',
      description: `${TUS_SPEC} creation: send \`Upload-Length\` (or \`Upload-Defer-Length: 1\`) and \`Upload-Metadata\` with \`title\`, \`filename\` and \`filetype\`; the body may carry the first bytes (creation-with-upload). The video id is allocated now. With \`sha256\` (the file's hex SHA-256) in the metadata, content the user already has is answered 200 instead (see docs/media.md), and bytes that hash otherwise fail the upload with 460.`,
    },
    config: {
      documentedResponses: {
        201: {
          description: 'The upload was created; send its bytes with PATCH to `Location`',
          headers: { Location: 'The upload’s URL, /v1/uploads/<videoId>-<suffix>', [VIDEO_ID_HEADER]: 'The id the video will have', 'Upload-Offset': 'Bytes stored so far (creation-with-upload)', ...EXPIRES, ...TUS_RESUMABLE },
        },
        200: {
          description: 'The user already has this content (`sha256` in the metadata): nothing more to send (`Reelay-Duplicate: video`), or resume the unfinished upload of it at `Upload-Offset` (`Reelay-Duplicate: upload`); body: DuplicateFound',
          headers: { Location: 'The video (query API) or the upload to resume', [VIDEO_ID_HEADER]: 'The video', 'Reelay-Duplicate': '`video` or `upload`', 'Upload-Offset': 'Bytes the upload has (upload only)', ...TUS_RESUMABLE },
        },
      },
    } satisfies OpenApiRouteConfig,
  },
  upload: {
    schema: {
      summary: 'Resume, continue or cancel one upload',
      description: `${TUS_SPEC}: HEAD tells how many bytes are stored; PATCH (\`Content-Type: application/offset+octet-stream\`, \`Upload-Offset\`) appends bytes, and after the last one the video is requested as with POST /v1/videos; DELETE removes an unfinished upload. Another user’s upload answers 404.`,
    },
    config: {
      documentedResponses: {
        200: { description: 'HEAD: the upload’s state', headers: { 'Upload-Offset': 'Bytes stored so far', 'Upload-Length': 'The whole size, once known', 'Upload-Metadata': 'The metadata given at creation', ...EXPIRES, ...TUS_RESUMABLE } },
        204: {
          description: 'PATCH: the bytes were stored; DELETE: the upload was removed',
          headers: { 'Upload-Offset': 'Bytes stored so far (PATCH)', [VIDEO_ID_HEADER]: 'The video id, on the PATCH that finished the upload', ...EXPIRES, ...TUS_RESUMABLE },
        },
      },
    } satisfies OpenApiRouteConfig,
  },
};

/** tus headers that a refusal carries too, so that tus clients read it as tus. */
const TUS_HEADERS = ['tus-resumable', 'upload-offset', 'upload-expires', 'access-control-allow-origin', 'access-control-expose-headers'];

/**
 * `/v1/uploads`: the tus 1.0 routes, behind the same authentication, rate limit and
 * per-user upload slots as `POST /v1/videos`. Fastify authenticates, checks that the upload
 * belongs to the caller (another user's upload is 404, like a missing one) and takes a slot for
 * requests that carry bytes; @tus/server does the protocol; its answer goes back through fastify,
 * so every refusal is problem+json and every request is logged and measured.
 */
export function registerResumableUpload(app: HttpApp, deps: ResumableUploadRouteDeps): void {
  app.register(async (scope) => {
    // Bytes stay in the request stream for @tus/server; fastify must not parse or buffer them.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    const routes = zodRoutes(scope);
    // A PATCH whose phone went away still stores what arrived (and may finish the upload): closing waits for it.
    const inFlight = closeWaitsFor(routes);
    routes.options(UPLOADS_PATH, TUS_DOCS.discover, (request, reply) => forward(deps, request, reply, undefined));
    routes.post(UPLOADS_PATH, TUS_DOCS.create, async (request, reply) => {
      await refuseErasedAccount(deps.personalData, request.userId, TUS_REFUSAL_HEADERS);
      const release = hasBody(request.raw) ? takeSlot(deps, request.userId) : undefined;
      const ended = inFlight.begin();
      try {
        return await forward(deps, request, reply, request.userId, undefined, (response) => undoIfErased(deps, request.userId, response));
      } finally {
        ended();
        release?.();
      }
    });
    routes.route({
      method: ['HEAD', 'PATCH', 'DELETE'],
      url: `${UPLOADS_PATH}/:uploadId`,
      schema: { ...TUS_DOCS.upload.schema, params: UploadParams },
      // The chunks of an upload in progress are limited by its creation (counted), its length and the slots.
      config: { ...TUS_DOCS.upload.config, notRateLimited: async (request) => (await ownUpload(deps, request.raw, (request.params as { uploadId: string }).uploadId, request.userId)) !== undefined },
      exposeHeadRoute: false,
      handler: async (request, reply) => {
        const uploadId = await requireOwnUpload(deps, request.raw, request.params.uploadId, request.userId);
        const release = request.method === 'PATCH' ? takeSlot(deps, request.userId) : undefined;
        const ended = inFlight.begin();
        try {
          return await forward(deps, request, reply, request.userId, uploadId);
        } finally {
          ended();
          release?.();
        }
      },
    });
    routes.options(`${UPLOADS_PATH}/:uploadId`, TUS_DOCS.discover, (request, reply) => forward(deps, request, reply, undefined));
  });
}

const TUS_REFUSAL_HEADERS = { 'tus-resumable': '1.0.0' };

/**
 * Checks again once the upload exists: a forget that marked the user after the first check may
 * already have swept the tus records and missed this one. Then it is removed here, and the
 * creation refused. Otherwise the record existed before the mark, and the forget's sweep (which
 * starts after the mark) finds it.
 */
async function undoIfErased(deps: ResumableUploadRouteDeps, userId: UserId, response: Response): Promise<void> {
  const location = response.headers.get('location');
  const name = location?.slice(location.lastIndexOf('/') + 1);
  if (response.status >= 400 || !name || !UPLOAD_NAME.test(name) || !(await deps.personalData.isErased(userId))) return;
  await deps.store.remove(deps.area.idFor(name));
  throw erasedAccount(userId, TUS_REFUSAL_HEADERS);
}

function hasBody(raw: IncomingMessage): boolean {
  return Number(raw.headers['content-length'] ?? 0) > 0 || raw.headers['transfer-encoding'] !== undefined;
}

function takeSlot(deps: ResumableUploadRouteDeps, userId: string): () => void {
  const release = deps.slots.tryAcquire(userId);
  if (release) return release;
  throw new HttpError(
    429,
    'too-many-uploads',
    `at most ${deps.slots.perUser} uploads per user may stream at the same time; retry when one has finished`,
    { 'retry-after': BUSY_RETRY_AFTER_SECONDS, 'tus-resumable': '1.0.0' },
  );
}

/** The store id of the caller's upload named `name` (the route's parameter); 404 when not theirs. */
async function requireOwnUpload(deps: ResumableUploadRouteDeps, raw: IncomingMessage, name: string, userId: string): Promise<string> {
  const upload = await ownUpload(deps, raw, name, userId);
  if (!upload) throw new HttpError(404, 'not-found', `no upload ${name} of yours exists (it may have expired or been terminated)`, { 'tus-resumable': '1.0.0' });
  return upload.id;
}

type AnyRequest = { raw: IncomingMessage; id: string; log: { error: (obj: unknown, msg: string) => void } };
type AnyReply = { raw: import('node:http').ServerResponse; code: (status: number) => AnyReply; header: (name: string, value: string) => AnyReply; send: (body?: unknown) => AnyReply };

/** Runs the request through @tus/server and answers with its response, refusals as problem+json. */
async function forward(
  deps: ResumableUploadRouteDeps,
  request: AnyRequest,
  reply: AnyReply,
  userId: UserId | undefined,
  uploadId?: string,
  /** Runs on tus' answer before it is sent; may throw a refusal instead. */
  check?: (response: Response) => Promise<void>,
): Promise<AnyReply> {
  if (userId !== undefined) deps.contexts.set(request.raw, deps.context(userId, request.id, request.log, uploadId));
  const response = await deps.tus.handleWeb(new NodeRequest({ req: request.raw, res: reply.raw }) as unknown as Request);
  await check?.(response);
  const text = response.status === 204 || request.raw.method === 'HEAD' ? '' : await response.text();
  if (response.status >= 400) {
    const headers: Record<string, string> = {};
    for (const name of TUS_HEADERS) {
      const value = response.headers.get(name);
      if (value !== null) headers[name] = value;
    }
    throw new HttpError(response.status, SLUGS[response.status] ?? 'bad-request', text.trim() || `tus refused the request (${response.status})`, headers);
  }
  reply.code(response.status);
  response.headers.forEach((value, name) => {
    // The record's metadata carries the owner too; the client hears back only what it sent.
    if (name !== 'content-length') reply.header(name, name === 'upload-metadata' ? clientMetadataHeader(value) : value);
  });
  const location = response.headers.get('location');
  // A HEAD of a finished upload names its video too: a phone that lost the last answer learns it here.
  const finished = request.raw.method === 'HEAD' && response.headers.get('upload-offset') === response.headers.get('upload-length');
  const videoId = location ? videoIdFromLocation(location) : finished ? videoIdFromLocation(request.raw.url ?? '') : undefined;
  if (videoId) reply.header(VIDEO_ID_HEADER, videoId);
  return reply.send(text === '' ? undefined : text);
}

function videoIdFromLocation(location: string): string | undefined {
  const name = location.slice(location.lastIndexOf('/') + 1);
  return UPLOAD_NAME.test(name) ? name.slice(0, 36) : undefined;
}
