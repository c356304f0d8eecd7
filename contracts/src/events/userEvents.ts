import { z } from 'zod';
import { UserId } from '../ids';

/**
 * The events of one user's stream (`user-<userId>`): facts about the user rather than a video.
 * They carry no personal data beyond the (pseudonymous) user id every event's metadata has.
 */

/**
 * The user's personal data was erased (GDPR, "right to be forgotten"): their data keys were
 * destroyed, so everything sealed with them is unreadable for good; the read model was scrubbed
 * and their videos deleted. The log itself is not rewritten.
 */
export const UserForgotten = z.object({
  type: z.literal('UserForgotten'),
  data: z.object({
    userId: UserId,
    /** Ids of the data keys destroyed by this request (none when only plaintext events were known). */
    destroyedKeyIds: z.array(z.uuid()),
    /** How many of the user's videos were known and deleted (their objects and staged copies removed). */
    videoCount: z.number().int().nonnegative(),
    /** Who asked for it: an operator's name, a ticket, or `reelay forget-user`. */
    requestedBy: z.string().min(1).max(200),
  }),
});

export type UserForgotten = z.infer<typeof UserForgotten>;

export const UserEvent = z.discriminatedUnion('type', [UserForgotten]);
export type UserEvent = z.infer<typeof UserEvent>;

/** The stream holding facts about one user. */
export function userStreamName(userId: string): string {
  return `user-${userId}`;
}
