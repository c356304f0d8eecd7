// What every bad-input case is made of: the case's shape, and requests built with fetch or raw.
import http from 'node:http';
import { SignJWT } from 'jose';
import type { VideoId } from '@reelay/contracts';
import type { RawResponse } from './rawHttp';
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

export const UUID = '6f1c1f0e-8a4b-4c3e-9a53-2f1d2f3c4b5a';
export const UPLOAD = '/v1/videos?title=Holiday&fileName=holiday.mp4';
export const now = () => Math.floor(Date.now() / 1000);
export const claims = (sub: string) => ({ sub, iss: ISSUER, aud: AUDIENCE, exp: now() + 600 });
export const hs256 = (payload: Record<string, unknown>, secret = SECRET) =>
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

export function fromRaw(response: RawResponse | null): Reply | null {
  return response && { status: response.status, header: (name) => response.headers[name.toLowerCase()], body: response.body };
}

async function authorization(context: CaseContext, auth: Auth, as: string): Promise<Record<string, string>> {
  if (auth === 'none') return {};
  if (auth === 'valid') return { authorization: `Bearer ${await context.h.tokenFor(as)}` };
  return { authorization: await auth(context) };
}

/** A request sent with fetch to one of the APIs. */
export function call(api: 'command' | 'query', path: string | ((context: CaseContext) => string), spec: RequestSpec = {}) {
  return async (context: CaseContext): Promise<Reply> => {
    const base = api === 'command' ? context.h.commandUrl : context.h.queryUrl;
    const url = `${base}${typeof path === 'string' ? path : path(context)}`;
    const headers = { ...(await authorization(context, spec.auth ?? 'valid', spec.as ?? context.user)), ...spec.headers };
    const init = { method: spec.method ?? 'GET', headers, body: spec.body?.(context), duplex: 'half' } as RequestInit;
    const response = await fetch(url, init);
    return fromFetch(response, await response.text());
  };
}

export const upload = (path: string, spec: RequestSpec = {}) =>
  call('command', path, { method: 'POST', body: (c) => c.h.video, ...spec, headers: { 'content-type': 'video/mp4', ...spec.headers } });

/** The head of an upload request as raw text. */
export async function uploadHead(context: CaseContext, extra: string[] = [`Content-Length: ${context.h.video.length}`]): Promise<string> {
  return [`POST ${UPLOAD} HTTP/1.1`, 'Host: reelay.test', `Authorization: Bearer ${await context.h.tokenFor(context.user)}`, 'Content-Type: video/mp4', ...extra].join('\r\n');
}

/** A live upload that trickles a kilobyte every 100 ms, holding one of the user's upload slots. */
export async function trickle(context: CaseContext): Promise<http.ClientRequest> {
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

export const expectHeader = (name: string, pattern: RegExp) => (reply: Reply) => {
  if (!pattern.test(reply.header(name) ?? '')) throw new Error(`header ${name} is ${JSON.stringify(reply.header(name))}, expected ${pattern}`);
};
