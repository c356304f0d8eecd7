import type { Problem } from '@reelay/contracts';

/** The base of every problem `type`; a stable identifier the app can switch on. */
export const PROBLEM_BASE = 'https://reelay.dev/problems/';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
  507: 'Insufficient Storage',
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

export function problem(status: number, slug: string, detail: string): Problem {
  return { type: PROBLEM_BASE + slug, title: TITLES[status] ?? 'Error', status, detail };
}
