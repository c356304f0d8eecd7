import { z } from 'zod';

/** RFC 9457 problem details: the body of every error either API returns. */
export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
});
export type Problem = z.infer<typeof Problem>;
