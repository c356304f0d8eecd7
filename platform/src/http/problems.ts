import { STATUS_CODES } from 'node:http';
import type { Problem } from '@reelay/contracts';

/** The base of every problem `type`; a stable identifier the app can switch on. */
export const PROBLEM_BASE = 'https://reelay.dev/problems/';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** RFC 9110's names where Node's table is older or vaguer. */
const TITLES: Record<number, string> = {
  413: 'Content Too Large',
  422: 'Unprocessable Content',
};

/** Problem `type` slugs for statuses that carry no slug of their own. */
export const SLUGS: Readonly<Record<number, string>> = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  406: 'not-acceptable',
  408: 'request-timeout',
  409: 'conflict',
  411: 'length-required',
  413: 'too-large',
  414: 'uri-too-long',
  415: 'unsupported-media-type',
  422: 'unprocessable-content',
  429: 'rate-limited',
  431: 'header-too-large',
  /** tus checksum extension: the bytes do not match the checksum the client declared. */
  460: 'checksum-mismatch',
  500: 'internal',
  503: 'unavailable',
  507: 'insufficient-storage',
};

/** An error that carries its own HTTP status and a detail that is safe to show the caller. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly slug: string,
    detail: string,
    readonly headers: Record<string, string> = {},
    options?: ErrorOptions,
  ) {
    super(detail, options);
  }
}

/** The RFC 9457 body for a status; the title is the status's standard name. */
export function problem(status: number, slug: string, detail: string): Problem {
  return { type: PROBLEM_BASE + slug, title: TITLES[status] ?? STATUS_CODES[status] ?? 'Error', status, detail };
}
