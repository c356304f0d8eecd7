import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  CONTENT_SHA256_HEADER,
  CONTENT_SHA256_METADATA_KEY,
  DUPLICATE_HEADER,
  type DuplicateFound,
  type VideoStatus,
} from '@reelay/contracts';
import { HttpError, type HttpApp } from '@reelay/platform';
import { SHA256_HEX, type ContentClaim, type ContentClaims } from './contentClaims';
import { decideDuplicate, type ClaimSubject, type DuplicateAnswer } from './decideDuplicate';

export interface ContentDedupeDeps {
  readonly claims: ContentClaims;
  /** The video's status in the log, undefined when its stream does not exist. */
  readonly statusOf: (videoId: string) => Promise<VideoStatus | undefined>;
  /** The unfinished tus upload of that name (offset and size), `finished`, or `gone`. */
  readonly tusUploadOf: (uploadName: string) => Promise<ClaimSubject['upload']>;
  readonly uploadsPath: string;
  readonly queryApiUrl: string;
}

const VIDEOS_PATH = '/v1/videos';
const BUSY_RETRY_AFTER_SECONDS = '1';
const EXPOSED = ['Location', 'Upload-Offset', 'Upload-Length', 'Tus-Resumable', 'Reelay-Video-Id', DUPLICATE_HEADER].join(', ');

/**
 * No video uploaded twice: an upload's creation that carries the file's SHA-256 (tus
 * `Upload-Metadata: sha256 <base64>`, or `Reelay-Content-SHA256` on `POST /v1/videos`) is answered
 * `200` with the user's existing video, or with the unfinished tus upload of the same content to
 * resume, before a byte of it is read. A tus creation that finds nothing claims the content, so
 * that a second device creating the same upload a moment later is pointed at this one. Hooks
 * on the command API's routes, added before they are declared; the routes stay as they are.
 */
export function registerContentDedupe(app: HttpApp, deps: ContentDedupeDeps): void {
  const claimOf = new WeakMap<FastifyRequest, string>();

  app.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST') return;
    const route = request.routeOptions.url;
    if (route === deps.uploadsPath) {
      const sha256 = declaredInMetadata(request.headers['upload-metadata']);
      if (sha256 === undefined) return;
      const answer = await findOrClaim(deps, request.userId, sha256, (claimId) => claimOf.set(request, claimId));
      if (answer) return sendDuplicate(deps, request, reply, answer, true);
    } else if (route === VIDEOS_PATH) {
      const header = request.headers[CONTENT_SHA256_HEADER.toLowerCase()];
      if (typeof header !== 'string' || !SHA256_HEX.test(header)) return; // the route's schema refuses a malformed one
      const claim = await deps.claims.find(request.userId, header);
      const answer = claim && (await answerFor(deps, claim));
      // A single POST cannot resume a tus upload: only an existing video spares its bytes.
      if (answer?.kind === 'video') return sendDuplicate(deps, request, reply, answer, false);
    }
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const claimId = claimOf.get(request);
    if (!claimId) return payload;
    claimOf.delete(request);
    const location = reply.getHeader('location');
    const name = typeof location === 'string' ? location.slice(location.lastIndexOf('/') + 1) : '';
    if (reply.statusCode === 201 && name.length > 36) await deps.claims.attach(claimId, name.slice(0, 36), name);
    else await deps.claims.drop(claimId);
    return payload;
  });
}

/** The SHA-256 a tus creation declares, or undefined; a malformed one is refused. */
function declaredInMetadata(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  for (const pair of header.split(',')) {
    const [key, value = ''] = pair.trim().split(' ');
    if (key !== CONTENT_SHA256_METADATA_KEY) continue;
    const sha256 = Buffer.from(value, 'base64').toString('latin1').toLowerCase();
    if (!SHA256_HEX.test(sha256)) {
      throw new HttpError(400, 'bad-request', `Upload-Metadata ${CONTENT_SHA256_METADATA_KEY} must be the base64 of the file's SHA-256 in 64 hex digits`, { 'tus-resumable': '1.0.0' });
    }
    return sha256;
  }
  return undefined;
}

/** The duplicate to point at, or undefined once this request holds the claim (a new upload). */
async function findOrClaim(deps: ContentDedupeDeps, userId: string, sha256: string, claimed: (claimId: string) => void): Promise<DuplicateAnswer | undefined> {
  // Two rounds cover a stale claim dropped, and a claim lost to a request that was quicker.
  for (let round = 0; round < 3; round += 1) {
    const claim = await deps.claims.find(userId, sha256);
    if (!claim) {
      const claimId = await deps.claims.tryCreate(userId, sha256);
      if (claimId) {
        claimed(claimId);
        return undefined;
      }
      continue;
    }
    const answer = await answerFor(deps, claim);
    if (answer.kind !== 'stale') return answer;
    await deps.claims.drop(claim.claimId);
  }
  return { kind: 'busy' };
}

async function answerFor(deps: ContentDedupeDeps, claim: ContentClaim): Promise<DuplicateAnswer> {
  const status = claim.videoId ? await deps.statusOf(claim.videoId) : undefined;
  const upload = status === undefined && claim.state === 'receiving' && claim.uploadName ? await deps.tusUploadOf(claim.uploadName) : undefined;
  return decideDuplicate(claim, { status, upload });
}

function sendDuplicate(deps: ContentDedupeDeps, request: FastifyRequest, reply: FastifyReply, answer: DuplicateAnswer, tus: boolean): FastifyReply {
  const tusHeaders: Record<string, string> = tus ? { 'tus-resumable': '1.0.0' } : {};
  if (answer.kind === 'busy' || answer.kind === 'stale') {
    throw new HttpError(409, 'conflict', 'an upload of the same content is being created or finished right now; retry in a moment', { ...tusHeaders, 'retry-after': BUSY_RETRY_AFTER_SECONDS });
  }
  const origin = request.headers.origin;
  reply
    .code(200)
    .headers(tusHeaders)
    .header('access-control-allow-origin', typeof origin === 'string' ? origin : '*')
    .header('access-control-expose-headers', EXPOSED)
    .header(DUPLICATE_HEADER, answer.kind)
    .header('reelay-video-id', answer.videoId);
  let body: DuplicateFound;
  if (answer.kind === 'video') {
    reply.header('location', `${deps.queryApiUrl}/v1/videos/${answer.videoId}`);
    body = { duplicate: 'video', videoId: answer.videoId as DuplicateFound['videoId'], status: answer.status, uploadUrl: null, uploadOffset: null };
  } else {
    const uploadUrl = `${deps.uploadsPath}/${answer.uploadName}`;
    reply.header('location', uploadUrl).header('upload-offset', String(answer.offset));
    if (answer.size !== undefined) reply.header('upload-length', String(answer.size));
    body = { duplicate: 'upload', videoId: answer.videoId as DuplicateFound['videoId'], status: 'PENDING', uploadUrl, uploadOffset: answer.offset };
  }
  return reply.send(body);
}
