import { RetryAccepted, VideoParams, decideRetryUpload, newEvent, type VideoState } from '@reelay/contracts';
import type { HttpApp } from '@reelay/platform';
import type { CommandHandler } from '@reelay/event-store';

/** `POST /v1/videos/:videoId/retry`: a new attempt for a `FAILED` upload. */
export function registerRetryUpload(app: HttpApp, repository: CommandHandler<VideoState | undefined>): void {
  app.post('/v1/videos/:videoId/retry', { schema: { params: VideoParams, response: { 202: RetryAccepted } } }, async (request, reply) => {
    const { videoId } = request.params;
    const metadata = { correlationId: request.id, causationId: request.id, userId: request.userId };
    await repository.decide(videoId, (state) => decideRetryUpload({ videoId, userId: request.userId }, state).map((event) => newEvent(event, metadata)));
    return reply.code(202).send({ videoId, status: 'PENDING' as const });
  });
}
