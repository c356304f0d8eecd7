import { DeleteAccepted, VideoParams, decideDeleteVideo } from '@reelay/contracts';
import { newEvent, type HttpApp, type VideoRepository } from '@reelay/platform';

/** `DELETE /v1/videos/:videoId`: records `VideoDeleted`; the uploader removes the object. */
export function registerDeleteVideo(app: HttpApp, repository: VideoRepository): void {
  app.delete('/v1/videos/:videoId', { schema: { params: VideoParams, response: { 202: DeleteAccepted } } }, async (request, reply) => {
    const { videoId } = request.params;
    const metadata = { correlationId: request.id, causationId: request.id, userId: request.userId };
    await repository.decide(videoId, (state) => decideDeleteVideo({ videoId, userId: request.userId }, state).map((event) => newEvent(event, metadata)));
    return reply.code(202).send({ videoId, status: 'DELETED' as const });
  });
}
