import http from 'node:http';
import { SignJWT, UnsecuredJWT, exportSPKI } from 'jose';
import type { VideoId } from '@reelay/contracts';
import { createSigningKey, signWithKey } from '@reelay/testing';
import { rawExchange, type RawResponse } from './rawHttp';
import { AUDIENCE, ISSUER, SECRET, type SecurityHarness } from './securityHarness';

/** What a case got back: enough to check status, headers and the problem body. */
export interface Reply {
  readonly status: number;
  header(name: string): string | undefined;
  readonly body: string;
}

export interface CaseContext {
  readonly h: SecurityHarness;
  /** A user of the case's own, so that limits one case hits never bleed into another. */
  readonly user: string;
  /** A video of another user ("alice"), for attempts to reach it. */
  readonly aliceVideo: VideoId;
}

export interface BadInputCase {
  readonly name: string;
  readonly api: 'command' | 'query';
  /** The status expected; null when the client goes away and there is no answer to read. */
  readonly status: number | null;
  readonly send: (context: CaseContext) => Promise<Reply | null>;
  /** Extra checks on the answer (headers such as Allow or Retry-After). */
  readonly check?: (reply: Reply) => void;
}

/** Requests per user per minute the suite's harness allows (the rate case sends one more). */
export const RATE_LIMIT_MAX = 20;

const UUID = '6f1c1f0e-8a4b-4c3e-9a53-2f1d2f3c4b5a';
const UPLOAD = '/v1/videos?title=Holiday&fileName=holiday.mp4';
const now = () => Math.floor(Date.now() / 1000);
const claims = (sub: string) => ({ sub, iss: ISSUER, aud: AUDIENCE, exp: now() + 600 });
const hs256 = (payload: Record<string, unknown>, secret = SECRET) =>
  new SignJWT(payload).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret));

type Auth = 'valid' | 'none' | ((context: CaseContext) => Promise<string>);

interface RequestSpec {
  readonly method?: string;
  readonly auth?: Auth;
  readonly headers?: Record<string, string>;
  readonly body?: (context: CaseContext) => RequestInit['body'];
  /** Another user than the case's own sends the request. */
  readonly as?: string;
}

function fromFetch(response: Response, body: string): Reply {
  return { status: response.status, header: (name) => response.headers.get(name) ?? undefined, body };
}

function fromRaw(response: RawResponse | null): Reply | null {
  return response && { status: response.status, header: (name) => response.headers[name.toLowerCase()], body: response.body };
}

async function authorization(context: CaseContext, auth: Auth, as: string): Promise<Record<string, string>> {
  if (auth === 'none') return {};
  if (auth === 'valid') return { authorization: `Bearer ${await context.h.tokenFor(as)}` };
  return { authorization: await auth(context) };
}

/** A request sent with fetch to one of the APIs. */
function call(api: 'command' | 'query', path: string | ((context: CaseContext) => string), spec: RequestSpec = {}) {
  return async (context: CaseContext): Promise<Reply> => {
    const base = api === 'command' ? context.h.commandUrl : context.h.queryUrl;
    const url = `${base}${typeof path === 'string' ? path : path(context)}`;
    const headers = { ...(await authorization(context, spec.auth ?? 'valid', spec.as ?? context.user)), ...spec.headers };
    const init = { method: spec.method ?? 'GET', headers, body: spec.body?.(context), duplex: 'half' } as RequestInit;
    const response = await fetch(url, init);
    return fromFetch(response, await response.text());
  };
}

const upload = (path: string, spec: RequestSpec = {}) =>
  call('command', path, { method: 'POST', body: (c) => c.h.video, ...spec, headers: { 'content-type': 'video/mp4', ...spec.headers } });

/** The head of an upload request as raw text. */
async function uploadHead(context: CaseContext, extra: string[] = [`Content-Length: ${context.h.video.length}`]): Promise<string> {
  return [`POST ${UPLOAD} HTTP/1.1`, 'Host: reelay.test', `Authorization: Bearer ${await context.h.tokenFor(context.user)}`, 'Content-Type: video/mp4', ...extra].join('\r\n');
}

/** A live upload that trickles a kilobyte every 100 ms, holding one of the user's upload slots. */
async function trickle(context: CaseContext): Promise<http.ClientRequest> {
  const request = http.request(`${context.h.commandUrl}${UPLOAD}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await context.h.tokenFor(context.user)}`, 'content-type': 'video/mp4', 'content-length': String(context.h.video.length) },
  });
  request.on('error', () => undefined);
  let offset = 0;
  const next = () => {
    request.write(context.h.video.subarray(offset, offset + 1024));
    offset += 1024;
  };
  next();
  const timer = setInterval(next, 100);
  request.on('close', () => clearInterval(timer));
  return request;
}

const expectHeader = (name: string, pattern: RegExp) => (reply: Reply) => {
  if (!pattern.test(reply.header(name) ?? '')) throw new Error(`header ${name} is ${JSON.stringify(reply.header(name))}, expected ${pattern}`);
};

/**
 * The bad-input suite: hostile, broken and unlucky requests across both APIs. Each one must get
 * its status as problem+json, record nothing and leave staging empty.
 */
export const BAD_INPUT_CASES: readonly BadInputCase[] = [
  // Tokens
  { name: 'an upload without Authorization', api: 'command', status: 401, send: upload(UPLOAD, { auth: 'none' }), check: expectHeader('www-authenticate', /^Bearer$/) },
  { name: 'a list without Authorization', api: 'query', status: 401, send: call('query', '/v1/users/me/videos', { auth: 'none' }) },
  { name: 'a Basic credential instead of a bearer token', api: 'query', status: 401, send: call('query', `/v1/videos/${UUID}`, { auth: async () => 'Basic YWxpY2U6c2VjcmV0' }) },
  { name: 'an empty bearer token', api: 'command', status: 401, send: call('command', `/v1/videos/${UUID}`, { method: 'DELETE', auth: async () => 'Bearer ' }) },
  { name: 'a token that is not a JWT', api: 'query', status: 401, send: call('query', '/v1/users/me/videos', { auth: async () => 'Bearer not.a.jwt' }) },
  {
    name: 'an unsigned token (alg none)',
    api: 'command',
    status: 401,
    send: upload(UPLOAD, { auth: async (c) => `Bearer ${new UnsecuredJWT(claims(c.user)).encode()}` }),
  },
  { name: 'a token signed with another secret', api: 'query', status: 401, send: call('query', '/v1/users/me/videos', { auth: async (c) => `Bearer ${await hs256(claims(c.user), 'x'.repeat(40))}` }) },
  { name: 'an expired token', api: 'command', status: 401, send: upload(UPLOAD, { auth: async (c) => `Bearer ${await hs256({ ...claims(c.user), exp: now() - 3600 })}` }) },
  {
    name: 'a token that is not valid yet',
    api: 'query',
    status: 401,
    send: call('query', '/v1/users/me/videos', { auth: async (c) => `Bearer ${await hs256({ ...claims(c.user), nbf: now() + 3600 })}` }),
  },
  { name: 'a token without sub', api: 'command', status: 401, send: upload(UPLOAD, { auth: async () => `Bearer ${await hs256({ ...claims('x'), sub: undefined })}` }) },
  { name: 'a token without exp', api: 'query', status: 401, send: call('query', '/v1/users/me/videos', { auth: async (c) => `Bearer ${await hs256({ ...claims(c.user), exp: undefined })}` }) },
  { name: 'a token from another issuer', api: 'command', status: 401, send: upload(UPLOAD, { auth: async (c) => `Bearer ${await hs256({ ...claims(c.user), iss: 'https://evil.test/' })}` }) },
  { name: 'a token for another audience', api: 'query', status: 401, send: call('query', '/v1/users/me/videos', { auth: async (c) => `Bearer ${await hs256({ ...claims(c.user), aud: 'other-api' })}` }) },
  {
    name: 'an RS256 token from a key the identity provider does not publish',
    api: 'query',
    status: 401,
    send: call('query', '/v1/users/me/videos', {
      auth: async (c) => `Bearer ${await signWithKey(await createSigningKey('RS256', 'idp-key-1'), { sub: c.user, issuer: ISSUER, audience: AUDIENCE })}`,
    }),
  },
  {
    name: "an HS256 token 'signed' with the identity provider's public key",
    api: 'command',
    status: 401,
    send: upload(UPLOAD, {
      auth: async (c) =>
        `Bearer ${await new SignJWT(claims(c.user)).setProtectedHeader({ alg: 'HS256', kid: 'idp-key-1' }).sign(new TextEncoder().encode(await exportSPKI(c.h.idpKey.publicKey)))}`,
    }),
  },
  { name: 'an Authorization header of 10 kB', api: 'query', status: 431, send: call('query', '/v1/users/me/videos', { auth: async () => `Bearer ${'a'.repeat(10_000)}` }) },
  {
    name: 'headers larger than 16 KiB',
    api: 'command',
    status: 431,
    send: async (c) => fromRaw(await rawExchange(c.h.commandUrl, { head: `${await uploadHead(c)}\r\nX-Padding: ${'p'.repeat(20_000)}` })),
  },

  // Sizes and types
  { name: 'a declared size over MAX_UPLOAD_BYTES', api: 'command', status: 413, send: upload(UPLOAD, { body: (c) => Buffer.concat([c.h.video, c.h.video]) }) },
  {
    name: 'a chunked body that grows over MAX_UPLOAD_BYTES',
    api: 'command',
    status: 413,
    send: upload(UPLOAD, {
      body: (c) => {
        const chunks = [c.h.video, c.h.video];
        return new ReadableStream({ pull: (controller) => (chunks.length ? controller.enqueue(chunks.shift()) : controller.close()) }) as unknown as RequestInit['body'];
      },
    }),
  },
  { name: 'an empty body', api: 'command', status: 415, send: upload(UPLOAD, { body: () => Buffer.alloc(0) }) },
  { name: 'text sent as video/mp4', api: 'command', status: 415, send: upload(UPLOAD, { body: () => Buffer.from('plain text pretending to be a video, long enough to be sniffed') }) },
  {
    name: 'a PNG sent as video/mp4',
    api: 'command',
    status: 415,
    send: upload(UPLOAD, { body: () => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(5000)]) }),
  },
  { name: 'four bytes "ftyp"', api: 'command', status: 415, send: upload(UPLOAD, { body: () => Buffer.from('ftyp') }) },
  { name: 'a real video sent as application/json', api: 'command', status: 415, send: upload(UPLOAD, { headers: { 'content-type': 'application/json' } }) },
  { name: 'a real video sent as text/plain', api: 'command', status: 415, send: upload(UPLOAD, { headers: { 'content-type': 'text/plain' } }) },

  // Cut off and failed bodies
  {
    name: 'a client that disconnects mid-body',
    api: 'command',
    status: null,
    send: async (c) => fromRaw(await rawExchange(c.h.commandUrl, { head: await uploadHead(c), body: [c.h.video.subarray(0, 200_000)], afterBody: 'destroy', afterMs: 150 })),
  },
  {
    name: 'a body shorter than its Content-Length',
    api: 'command',
    status: 400,
    send: async (c) => fromRaw(await rawExchange(c.h.commandUrl, { head: await uploadHead(c), body: [c.h.video.subarray(0, 200_000)], afterBody: 'end' })),
  },
  {
    name: 'a body that stops arriving',
    api: 'command',
    status: 408,
    send: async (c) => fromRaw(await rawExchange(c.h.commandUrl, { head: await uploadHead(c), body: [c.h.video.subarray(0, 50_000)], afterBody: 'hold' })),
    check: expectHeader('connection', /^close$/),
  },
  {
    name: 'a full disk while staging',
    api: 'command',
    status: 507,
    send: async (c) => {
      c.h.setDiskFull(true);
      try {
        return await upload(UPLOAD)(c);
      } finally {
        c.h.setDiskFull(false);
      }
    },
  },
  {
    name: 'a third upload while two of the same user are streaming',
    api: 'command',
    status: 429,
    send: async (c) => {
      const live = [await trickle(c), await trickle(c)];
      try {
        // Both have reached staging (and hold their slots) before the third arrives.
        await new Promise((resolve) => setTimeout(resolve, 150));
        return await upload(UPLOAD)(c);
      } finally {
        for (const request of live) request.destroy();
      }
    },
    check: expectHeader('retry-after', /^\d+$/),
  },
  {
    name: 'more requests than the per-user rate allows',
    api: 'query',
    status: 429,
    send: async (c) => {
      for (let i = 0; i < RATE_LIMIT_MAX; i += 1) await call('query', '/v1/users/me/videos')(c);
      return call('query', '/v1/users/me/videos')(c);
    },
    check: expectHeader('retry-after', /^[1-9]\d*$/),
  },
  {
    name: 'both Content-Length and Transfer-Encoding (request smuggling)',
    api: 'command',
    status: 400,
    send: async (c) => fromRaw(await rawExchange(c.h.commandUrl, { head: await uploadHead(c, ['Content-Length: 5', 'Transfer-Encoding: chunked']), body: [Buffer.from('0\r\n\r\n')] })),
  },
  {
    name: 'a Content-Length that is not a number',
    api: 'command',
    status: 400,
    send: async (c) => fromRaw(await rawExchange(c.h.commandUrl, { head: await uploadHead(c, ['Content-Length: lots']) })),
  },

  // Upload parameters
  { name: 'an upload without title', api: 'command', status: 400, send: upload('/v1/videos?fileName=a.mp4') },
  { name: 'an upload without fileName', api: 'command', status: 400, send: upload('/v1/videos?title=Holiday') },
  { name: 'a title of 201 characters', api: 'command', status: 400, send: upload(`/v1/videos?title=${'t'.repeat(201)}&fileName=a.mp4`) },
  { name: 'a title of 10 000 characters', api: 'command', status: 400, send: upload(`/v1/videos?title=${'t'.repeat(10_000)}&fileName=a.mp4`) },
  { name: 'a title with a line break', api: 'command', status: 400, send: upload('/v1/videos?title=a%0Ab&fileName=a.mp4') },
  { name: 'a fileName of ../../etc/passwd', api: 'command', status: 400, send: upload(`/v1/videos?title=t&fileName=${encodeURIComponent('../../etc/passwd')}`) },
  { name: 'a fileName with backslashes', api: 'command', status: 400, send: upload(`/v1/videos?title=t&fileName=${encodeURIComponent('..\\..\\windows\\win.ini')}`) },
  { name: 'a fileName of ..', api: 'command', status: 400, send: upload('/v1/videos?title=t&fileName=..') },
  { name: 'a fileName with NUL', api: 'command', status: 400, send: upload('/v1/videos?title=t&fileName=a%00.mp4') },
  { name: 'a fileName that hides its extension (U+202E)', api: 'command', status: 400, send: upload(`/v1/videos?title=t&fileName=${encodeURIComponent('clip\u202E4pm.exe')}`) },
  { name: 'a title given twice', api: 'command', status: 400, send: upload('/v1/videos?title=a&title=b&fileName=a.mp4') },
  { name: 'an Idempotency-Key with spaces', api: 'command', status: 400, send: upload(UPLOAD, { headers: { 'idempotency-key': 'key with spaces' } }) },
  { name: 'an Idempotency-Key of 256 characters', api: 'command', status: 400, send: upload(UPLOAD, { headers: { 'idempotency-key': 'k'.repeat(256) } }) },

  // Hostile ids, and other users' videos
  { name: "a video id of ' OR 1=1 --", api: 'command', status: 400, send: call('command', `/v1/videos/${encodeURIComponent("' OR 1=1 --")}`, { method: 'DELETE' }) },
  { name: 'a video id of ../../etc/passwd', api: 'query', status: 400, send: call('query', `/v1/videos/${encodeURIComponent('../../etc/passwd')}`) },
  { name: 'a video id of 1000 characters', api: 'command', status: 414, send: call('command', `/v1/videos/${'9'.repeat(1000)}/retry`, { method: 'POST' }) },
  { name: 'a video id with broken percent-encoding', api: 'query', status: 400, send: call('query', '/v1/videos/%E0%A4%A') },
  { name: "another user's video", api: 'query', status: 404, send: call('query', (c) => `/v1/videos/${c.aliceVideo}`) },
  { name: "another user's video, long-polled", api: 'query', status: 404, send: call('query', (c) => `/v1/videos/${c.aliceVideo}?waitSeconds=5`, { headers: { 'if-none-match': '"x"' } }) },
  { name: "deleting another user's video", api: 'command', status: 404, send: call('command', (c) => `/v1/videos/${c.aliceVideo}`, { method: 'DELETE' }) },
  { name: "retrying another user's video", api: 'command', status: 404, send: call('command', (c) => `/v1/videos/${c.aliceVideo}/retry`, { method: 'POST' }) },
  { name: "another user's list", api: 'query', status: 404, send: call('query', '/v1/users/alice/videos') },
  { name: "a user id of ' OR 1=1 --", api: 'query', status: 404, send: call('query', `/v1/users/${encodeURIComponent("' OR 1=1 --")}/videos`) },
  { name: 'a user id of ../../etc/passwd', api: 'query', status: 404, send: call('query', `/v1/users/${encodeURIComponent('../../etc/passwd')}/videos`) },

  // Query parameters
  { name: 'waitSeconds=31', api: 'query', status: 400, send: call('query', `/v1/videos/${UUID}?waitSeconds=31`) },
  { name: 'waitSeconds=-1', api: 'query', status: 400, send: call('query', `/v1/videos/${UUID}?waitSeconds=-1`) },
  { name: 'waitSeconds=soon', api: 'query', status: 400, send: call('query', `/v1/videos/${UUID}?waitSeconds=soon`) },
  { name: 'limit=0', api: 'query', status: 400, send: call('query', '/v1/users/me/videos?limit=0') },
  { name: 'limit=101', api: 'query', status: 400, send: call('query', '/v1/users/me/videos?limit=101') },
  { name: 'a limit of 23 digits', api: 'query', status: 400, send: call('query', '/v1/users/me/videos?limit=99999999999999999999999') },
  { name: 'limit given twice', api: 'query', status: 400, send: call('query', '/v1/users/me/videos?limit=1&limit=2') },
  { name: 'status=SLEEPING', api: 'query', status: 400, send: call('query', '/v1/users/me/videos?status=SLEEPING') },
  { name: 'status=pending (wrong case)', api: 'query', status: 400, send: call('query', '/v1/users/me/videos?status=pending') },
  { name: 'a cursor that is not base64 JSON', api: 'query', status: 400, send: call('query', '/v1/users/me/videos?cursor=garbage') },
  {
    name: 'a forged cursor',
    api: 'query',
    status: 400,
    send: call('query', `/v1/users/me/videos?cursor=${Buffer.from(JSON.stringify(["' OR 1=1 --", '../../etc/passwd'])).toString('base64url')}`),
  },
  { name: 'a cursor of 600 characters', api: 'query', status: 400, send: call('query', `/v1/users/me/videos?cursor=${'c'.repeat(600)}`) },

  // Routes and methods
  { name: 'an unknown route under /v1', api: 'command', status: 404, send: call('command', '/v1/admin') },
  { name: 'an unknown route without a token', api: 'query', status: 404, send: call('query', '/admin', { auth: 'none' }) },
  { name: 'PUT on /v1/videos', api: 'command', status: 405, send: call('command', '/v1/videos', { method: 'PUT' }), check: expectHeader('allow', /^POST$/) },
  { name: 'PATCH on a video', api: 'command', status: 405, send: call('command', `/v1/videos/${UUID}`, { method: 'PATCH' }), check: expectHeader('allow', /DELETE/) },
  { name: 'POST on a video of the query API', api: 'query', status: 405, send: call('query', `/v1/videos/${UUID}`, { method: 'POST' }), check: expectHeader('allow', /GET/) },
  { name: 'DELETE on a list', api: 'query', status: 405, send: call('query', '/v1/users/me/videos', { method: 'DELETE' }) },
];
