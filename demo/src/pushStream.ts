import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { HttpError, type HttpApp } from '@reelay/platform';
import { Unauthenticated, type TokenVerifier } from '@reelay/platform/auth';
import type { PushFeed } from './pushFeed';

export interface PushStreamDeps {
  readonly pushes: PushFeed;
  readonly verifier: TokenVerifier;
}

/** A comment line every so often keeps proxies and browsers from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;

// EventSource cannot send headers: the token comes as `access_token` (RFC 6750 §2.3), which the
// log scrubber already hides.
const Query = z.object({ access_token: z.string().min(1).max(8192) });

/**
 * `GET /demo/pushes?access_token=…`: Server-Sent Events, one `push` event per push the notifier
 * recorded for the token's user (see PushFeed). The page shows it as a notification and hands its
 * data to the SDK, as an app hands it the payload its push SDK delivered.
 */
export function registerPushStream(app: HttpApp, deps: PushStreamDeps): void {
  const open = new Set<ServerResponse>();
  // Streams never end by themselves; end them so that closing the server does not wait on them.
  app.addHook('preClose', async () => {
    for (const response of open) response.end();
  });

  app.get('/demo/pushes', { schema: { querystring: Query } }, async (request, reply) => {
    let userId: string;
    try {
      userId = await deps.verifier.verify(request.query.access_token);
    } catch (error) {
      if (error instanceof Unauthenticated) throw new HttpError(401, 'unauthorized', error.message);
      throw error;
    }
    reply.hijack();
    const response = reply.raw;
    response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    response.write(': connected\n\n');
    open.add(response);
    const stopListening = deps.pushes.listen(userId, (push) => {
      response.write(`event: push\ndata: ${JSON.stringify(push)}\n\n`);
    });
    const heartbeat = setInterval(() => response.write(': still here\n\n'), HEARTBEAT_MS);
    response.once('close', () => {
      clearInterval(heartbeat);
      stopListening();
      open.delete(response);
    });
  });
}
