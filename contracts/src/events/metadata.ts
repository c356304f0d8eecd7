import { z } from 'zod';

/** Who caused an event and why: carried on every event, never part of its meaning. */
export const EventMetadata = z.object({
  /** Ties together every event that one request (or one job) led to. */
  correlationId: z.string().min(1),
  /** The id of the event or request that directly caused this one. */
  causationId: z.string().min(1),
  /** The user on whose behalf the event was recorded. */
  userId: z.string().min(1),
});
export type EventMetadata = z.infer<typeof EventMetadata>;
