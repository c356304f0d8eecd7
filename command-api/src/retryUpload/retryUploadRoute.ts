import { RetryAccepted, VideoParams } from '@reelay/contracts';
import { newEvent, type HttpApp, type VideoRepository } from '@reelay/platform';
import { decideRetry } from './decideRetry';

/** `POST /v1/videos/:videoId/retry`: a new attempt for a `FAILED` upload. */
export function registerRetryUpload(app: HttpApp, repository: VideoRepository): void {
  app.post('/v1/videos/:videoId/retry', { schema: { params: VideoParams, response: { 202: RetryAccepted } } }, async (request, reply) => {
    const { videoId } = request.params;
    const metadata = { correlationId: request.id, causationId: request.id, userId: request.userId };
    await repository.decide(videoId, (state) => decideRetry(state, request.userId, videoId).map((event) => newEvent(event, metadata)));
    return reply.code(202).send({ videoId, status: 'PENDING' as const });
  });
}
