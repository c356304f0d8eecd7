import { z } from 'zod';
import { GetVideoQuery, NotFound, VideoId, VideoView } from '@reelay/contracts';
import type { HttpApp } from '@reelay/platform';
import type { VideoChangeListener } from '../readModel/videoChangeListener';
import type { IntakeProgressRow } from '@reelay/platform';
import { receivingEtag, receivingView } from '../readModel/progress';
import type { VideoReader } from '../readModel/videoReader';
import { toVideoView } from '../readModel/videoView';
import { awaitNewVersion } from './awaitNewVersion';
import { ifNoneMatchMatches, videoEtag } from './etag';
import { findVideoOfUser } from './findVideo';

export interface GetVideoDependencies {
  /** Reads a row by id (through the cache). */
  readonly read: VideoReader;
  readonly changes: VideoChangeListener;
  /** The caller's video whose bytes are still arriving (intake_progress), when the read model has none. */
  readonly findReceiving: (videoId: string, userId: string) => Promise<IntakeProgressRow | undefined>;
}

const Params = z.object({ videoId: VideoId });

/** A 304 has no body (RFC 9110 §15.4.5). */
const NotModified = z.undefined().describe('Not Modified: the version named by If-None-Match is current');

/**
 * `GET /v1/videos/:videoId` (API.md): the caller's video with an ETag; `If-None-Match` → 304.
 *
 * `?waitSeconds=N` is a long-poll, and it holds the request only when the client already has
 * the current version (its `If-None-Match` matches): then it answers as soon as the video
 * changes (200) or after N seconds (304). Without a matching `If-None-Match` the client has
 * nothing to compare against, so it gets the current state at once — holding would only delay
 * the first answer.
 */
export function registerGetVideo(app: HttpApp, { read, changes, findReceiving }: GetVideoDependencies): void {
  app.get(
    '/v1/videos/:videoId',
    {
      schema: { params: Params, querystring: GetVideoQuery, response: { 200: VideoView, 304: NotModified } },
      // The body is built by toVideoView from a typed row, so the type checker already holds it
      // to VideoView; re-validating it with zod on every poll cost a fifteenth of a status read.
      serializerCompiler: () => (data) => JSON.stringify(data),
    },
    async (request, reply) => {
      const { videoId } = request.params;
      const ifNoneMatch = request.headers['if-none-match'];
      const load = () => findVideoOfUser(read, videoId, request.userId);

      let record = await load();
      if (!record) {
        // Its bytes may still be arriving: answered at once (a long-poll is woken by the projector only).
        const receiving = await findReceiving(videoId, request.userId);
        if (!receiving) throw new NotFound(`video ${videoId} was not found`);
        const etag = receivingEtag(receiving);
        reply.header('etag', etag).header('cache-control', 'private, no-cache').header('vary', 'authorization');
        if (ifNoneMatchMatches(ifNoneMatch, etag)) return reply.code(304).send();
        return receivingView(receiving);
      }

      const waitMs = request.query.waitSeconds * 1000;
      if (waitMs > 0 && ifNoneMatch && ifNoneMatchMatches(ifNoneMatch, videoEtag(record))) {
        const disconnected = new AbortController();
        // 'close' on the response fires when it is sent or when the client goes away first.
        reply.raw.once('close', () => disconnected.abort());
        if (request.raw.socket.destroyed) disconnected.abort();
        record = (await awaitNewVersion({ videoId, ifNoneMatch, waitMs, changes, load, signal: disconnected.signal })) ?? record;
      }

      const etag = videoEtag(record);
      // Per-user data: caches may keep it only for this caller and must revalidate every time.
      reply.header('etag', etag).header('cache-control', 'private, no-cache').header('vary', 'authorization');
      if (ifNoneMatchMatches(ifNoneMatch, etag)) return reply.code(304).send();
      return toVideoView(record);
    },
  );
}
