import { z } from 'zod';

/** The statuses of the seed, in the order a healthy upload passes through them. */
export const VideoStatus = z.enum(['PENDING', 'LOADING', 'UPLOADED', 'DELETED', 'FAILED']);
export type VideoStatus = z.infer<typeof VideoStatus>;

export const TERMINAL_STATUSES: ReadonlySet<VideoStatus> = new Set(['UPLOADED', 'DELETED', 'FAILED']);
