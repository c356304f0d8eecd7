import type { Knex } from 'knex';
import { ListVideosParams, ListVideosQuery, NotFound, VideoList } from '@reelay/contracts';
import type { HttpApp } from '@reelay/platform';
import { listReceivingOfUser, receivingView } from '../readModel/progress';
import { toVideoView } from '../readModel/videoView';
import { decodeCursor, encodeCursor } from './cursor';
import { listVideosOfUser } from './listVideosOfUser';

/** The alias API.md gives the caller in `/v1/users/:userId/…`. */
export const CALLER_ALIAS = 'me';

/**
 * `GET /v1/users/:userId/videos?status=&limit=&cursor=` (API.md): the caller's videos, newest
 * first, a page at a time. Only the caller's own list exists for them: any other user id is a
 * 404, whether or not that user has videos.
 */
export function registerListVideos(app: HttpApp, { knex }: { readonly knex: Knex }): void {
  app.get(
    '/v1/users/:userId/videos',
    { schema: { params: ListVideosParams, querystring: ListVideosQuery, response: { 200: VideoList } } },
    async (request, reply) => {
      const { userId } = request.params;
      if (userId !== CALLER_ALIAS && userId !== request.userId) throw new NotFound(`user ${userId} was not found`);
      const { status, limit, cursor } = request.query;

      // Videos still arriving come first on the first page (they are the newest), beyond `limit`.
      // Read before the page, so that the page is the freshest read of the answer.
      const receiving = !cursor && (status === undefined || status === 'PENDING') ? await listReceivingOfUser(knex, request.userId, limit) : [];

      const page = await listVideosOfUser(knex, { userId: request.userId, status, limit, after: cursor ? decodeCursor(cursor) : undefined });
      // One projected in between is shown once, as the read model has it.
      const listed = new Set(page.records.map((record) => record.video_id));

      reply.header('cache-control', 'private, no-cache').header('vary', 'authorization');
      return {
        userId: request.userId,
        videos: [...receiving.filter((row) => !listed.has(row.video_id)).map(receivingView), ...page.records.map(toVideoView)],
        nextCursor: page.next ? encodeCursor(page.next) : null,
      };
    },
  );
}
