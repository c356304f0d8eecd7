import http from 'node:http';
import { SignJWT, UnsecuredJWT } from 'jose';
import { newEvent, videoStreamName, type VideoId } from '@reelay/contracts';
import { declaredRoutes } from '@reelay/platform';
import { METHODS, type RouteTemplate } from './attackerUrls';
import { AUDIENCE, ISSUER, SECRET, type SecurityHarness } from './securityHarness';

export const VICTIM = 'victim-7f3a';
export const ATTACKER = 'mallory-2c9e';
export const VICTIM_TITLE = 'Victim secret title';
const UPLOAD_LENGTH = 20_000;
const b64 = (text: string) => Buffer.from(text).toString('base64');
const metadataOf = (title: string) => `title ${b64(title)},filename ${b64(`${title}.mp4`)},filetype ${b64('video/mp4')}`;

/** The first bytes of an MP4 (an ftyp box), as many as the first PATCH of an upload must carry. */
export const MP4_HEAD = (() => {
  const bytes = Buffer.alloc(4096, 9);
  bytes.write('\x00\x00\x00\x18ftypisom', 0, 'latin1');
  return bytes;
})();

export interface RawAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** Sends `target` on the request line exactly as given (node:http does not normalise `path`). */
export function sendRaw(baseUrl: string, method: string, target: string, headers: Record<string, string>, body?: Buffer): Promise<RawAnswer> {
  const { port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: '127.0.0.1', port, method, path: target, agent: false, headers: { ...headers, 'content-length': String(body?.length ?? 0) } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString() }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** The kinds of credentials an attacker can present; all but `own` claim to be the victim. */
export const TOKEN_KINDS = ['own', 'none', 'expired', 'wrong signature', 'other issuer', 'other audience', 'unsigned (alg none)'] as const;
export type TokenKind = (typeof TOKEN_KINDS)[number];

async function tokensFor(h: SecurityHarness): Promise<Record<TokenKind, string | undefined>> {
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub: VICTIM, iss: ISSUER, aud: AUDIENCE, exp: now + 3600 };
  const hs256 = (payload: Record<string, unknown>, secret = SECRET) => new SignJWT(payload).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret));
  return {
    own: await h.tokenFor(ATTACKER),
    none: undefined,
    expired: await hs256({ ...claims, exp: now - 3600 }),
    'wrong signature': await hs256(claims, 'not-the-secret-but-long-enough-0123456789'),
    'other issuer': await hs256({ ...claims, iss: 'https://other-idp.test/' }),
    'other audience': await hs256({ ...claims, aud: 'another-app' }),
    'unsigned (alg none)': new UnsecuredJWT(claims).encode(),
  };
}

/** Every route both apps declare, by path, with every method an attacker may try on it. */
export function routesOf(h: SecurityHarness): RouteTemplate[] {
  const found = new Map<string, RouteTemplate>();
  for (const [api, app] of [['command', h.commandApp], ['query', h.queryApp]] as const) {
    for (const route of declaredRoutes(app as never)) {
      const key = `${api} ${route.url}`;
      const methods = new Set([...(found.get(key)?.methods ?? []), ...[route.method].flat()]);
      found.set(key, { api, path: route.url, methods: [...methods] });
    }
  }
  return [...found.values()];
}

/** Every (route, method) pair, declared or not: the undeclared ones must answer 404/405. */
export function attackSurface(routes: readonly RouteTemplate[]): Array<{ route: RouteTemplate; method: string }> {
  return routes.flatMap((route) => METHODS.map((method) => ({ route, method })));
}

/**
 * The victim's things (two videos, one of them FAILED so that a retry would do something; two
 * unfinished tus uploads, one part-written) and the attacker's own (a video, an upload), on the
 * harness's two APIs.
 */
export async function buildAttackerWorld(h: SecurityHarness) {
  const victimAuth = { authorization: `Bearer ${await h.tokenFor(VICTIM)}`, 'tus-resumable': '1.0.0' };
  const attackerAuth = { authorization: `Bearer ${await h.tokenFor(ATTACKER)}`, 'tus-resumable': '1.0.0' };
  const createUpload = async (auth: Record<string, string>, title: string): Promise<string> => {
    const created = await sendRaw(h.commandUrl, 'POST', '/v1/uploads', { ...auth, 'upload-length': String(UPLOAD_LENGTH), 'upload-metadata': metadataOf(title) });
    if (created.status !== 201) throw new Error(`creating an upload answered ${created.status}: ${created.body}`);
    return String(created.headers.location).split('/').pop() ?? '';
  };

  const uploaded = await h.upload(VICTIM);
  await h.projected(uploaded);
  const failed = await h.recordVideo(VICTIM);
  const failure = newEvent({ type: 'UploadFailed', data: { reason: 'seeded failure', code: 'SEEDED', attempt: 1, retryable: true } }, { correlationId: 'seed', causationId: 'seed', userId: VICTIM });
  await h.store.appendToStream(videoStreamName(failed), [failure], { expectedRevision: 'any' });
  const victimVideos: VideoId[] = [uploaded, failed];
  const victimUploads = [await createUpload(victimAuth, VICTIM_TITLE), await createUpload(victimAuth, `${VICTIM_TITLE} 2`)];
  const partWritten = await sendRaw(h.commandUrl, 'PATCH', `/v1/uploads/${victimUploads[1]}`, { ...victimAuth, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }, MP4_HEAD);
  if (partWritten.status !== 204) throw new Error(`writing the victim's upload answered ${partWritten.status}`);

  const ownVideo = await h.recordVideo(ATTACKER);
  let ownUpload = await createUpload(attackerAuth, 'Mallory');
  const tokens = await tokensFor(h);

  /** Everything of the victim's an attacker could change, as the victim and the log see it. */
  const snapshot = async (): Promise<string[]> => {
    const seen: string[] = [];
    for (const name of victimUploads) {
      const head = await sendRaw(h.commandUrl, 'HEAD', `/v1/uploads/${name}`, victimAuth);
      seen.push(`upload ${name}: ${head.status} offset=${head.headers['upload-offset']} length=${head.headers['upload-length']} metadata=${head.headers['upload-metadata']}`);
    }
    for (const videoId of victimVideos) {
      const read = await sendRaw(h.queryUrl, 'GET', `/v1/videos/${videoId}`, victimAuth);
      seen.push(`video ${videoId}: ${read.status} etag=${read.headers.etag} ${read.body}`);
    }
    seen.push(`list: ${(await sendRaw(h.queryUrl, 'GET', '/v1/users/me/videos', victimAuth)).body}`);
    const streams = [...victimVideos, ...victimUploads.map((name) => name.slice(0, 36))].map((id) => videoStreamName(id as VideoId));
    const events = await h.pool.query('select stream_name, revision, type, data, metadata from event_log where stream_name = any($1) order by position', [streams]);
    seen.push(...events.rows.map((row) => `event ${JSON.stringify(row)}`));
    return seen;
  };

  return {
    victimVideos,
    victimUploads,
    /** Every id of the victim's an attacker might put in a URL. */
    /** The victim's video ids: of their videos and those their uploads will become. */
    victimVideoIds: [...victimVideos, ...victimUploads.map((name) => name.slice(0, 36))],
    victimIds: [...victimVideos, ...victimUploads, ...victimUploads.map((name) => name.slice(0, 36)), VICTIM],
    /** What must never appear in any answer to the attacker: the victim's titles and metadata. */
    secrets: [VICTIM_TITLE, b64(VICTIM_TITLE), b64(VICTIM), `"userId":"${VICTIM}"`],
    ownVideo,
    ownUpload: () => ownUpload,
    /** The attacker's upload may have been written or terminated by an attempt: a fresh one. */
    async renewOwnUpload(): Promise<void> {
      ownUpload = await createUpload(attackerAuth, 'Mallory');
    },
    tokens,
    snapshot,
    /** The newest position in the log, to find events appended after it. */
    async logPosition(): Promise<number> {
      return Number((await h.pool.query<{ max: string | null }>('select max(position) from event_log')).rows[0]?.max ?? 0);
    },
    /** Events appended after `position` that name any id of the victim's. */
    async eventsTouchingVictimSince(position: number): Promise<string[]> {
      const rows = await h.pool.query<{ text: string }>('select row_to_json(e)::text as text from event_log e where position > $1', [position]);
      return rows.rows.map((row) => row.text).filter((text) => [...victimVideos, ...victimUploads.map((name) => name.slice(0, 36)), VICTIM].some((id) => text.includes(id)));
    },
  };
}

export type AttackerWorld = Awaited<ReturnType<typeof buildAttackerWorld>>;
