import { newEvent, type VideoEvent, type VideoState } from '@reelay/contracts';
import type { CommandHandler, Decision } from '@reelay/event-store';

/** The uploader's decisions on a video: `decide(command, state)` of `@reelay/contracts` with the command bound. */
export type BoundDecider = (state: VideoState | undefined) => readonly VideoEvent[];

/**
 * Loads the video, calls `decider` once, appends what it made with `correlationId` as correlation
 * and cause; on a conflict it loads and decides again. The events are the owner's (metadata
 * `userId`): a decider makes events only for a video that exists.
 */
export function appendDecided(repository: CommandHandler<VideoState | undefined>, videoId: string, correlationId: string, decider: BoundDecider): Promise<Decision<VideoState | undefined>> {
  return repository.decide(videoId, (state) =>
    decider(state).map((event) => newEvent(event, { correlationId, causationId: correlationId, userId: (state as VideoState).userId })),
  );
}
