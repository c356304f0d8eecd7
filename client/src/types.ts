// Types only: the SDK shares the contracts' shapes without bundling zod or any schema at run time.
import type { MediaFacts, Problem, UploadAccepted, VideoId, VideoList, VideoStatus, VideoView } from '@reelay/contracts';

export type { MediaFacts, Problem, UploadAccepted, VideoId, VideoList, VideoStatus, VideoView };

/** Statuses after which a video never changes again by itself (mirrors the contracts' TERMINAL_STATUSES). */
export const TERMINAL: readonly VideoStatus[] = ['UPLOADED', 'DELETED', 'FAILED'];

export function isTerminal(status: VideoStatus): boolean {
  return TERMINAL.includes(status);
}
