import { DeleteAccepted, VideoParams, decideDeleteVideo, newEvent, type VideoState } from '@reelay/contracts';
import type { HttpApp } from '@reelay/platform';
import type { CommandHandler } from '@reelay/event-store';

/** `DELETE /v1/videos/:videoId`: records `VideoDeleted`; the uploader removes the object. */
export function registerDeleteVideo(app: HttpApp, repository: CommandHandler<VideoState | undefined>): void {
  app.delete('/v1/videos/:videoId', { schema: { params: VideoParams, response: { 202: DeleteAccepted } } }, async (request, reply) => {
    const { videoId } = request.params;
    const metadata = { correlationId: request.id, causationId: request.id, userId: request.userId };
    await repository.decide(videoId, (state) => decideDeleteVideo({ videoId, userId: request.userId }, state).map((event) => newEvent(event, metadata)));
    return reply.code(202).send({ videoId, status: 'DELETED' as const });
  });
}
