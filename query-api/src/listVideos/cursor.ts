import { z } from 'zod';
import { Validation } from '@reelay/contracts';

/**
 * Where a page of "a user's videos, newest first" ended: the sort key of its last row. The
 * timestamp keeps Postgres's full precision as text, so the next page starts exactly after it.
 */
export interface PageKey {
  readonly requestedAt: string;
  readonly videoId: string;
}

const CursorPayload = z.tuple([z.iso.datetime({ offset: true }), z.uuid()]);

/** Opaque to clients: base64url of a JSON tuple. */
export function encodeCursor(key: PageKey): string {
  return Buffer.from(JSON.stringify([key.requestedAt, key.videoId]), 'utf8').toString('base64url');
}

/** The page key of a cursor this API issued, or a Validation error (400) that says what to send. */
export function decodeCursor(cursor: string): PageKey {
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    payload = undefined;
  }
  const parsed = CursorPayload.safeParse(payload);
  if (!parsed.success) {
    throw new Validation('query.cursor is not a cursor this API issued: pass the nextCursor of the previous page unchanged, or omit it for the first page');
  }
  const [requestedAt, videoId] = parsed.data;
  return { requestedAt, videoId };
}
