import type { MediaFacts, MediaProbeState, MetaInfo } from '@reelay/contracts';

/**
 * One `video_info` row as `pg` returns it (timestamps as Date, int8 as number or string): the
 * projector writes it and reads it back, the query API reads it; both by these columns.
 */
export interface VideoInfoRecord {
  video_id: string;
  user_id: string;
  status: string;
  uploaded_percentage: number;
  /** As stored: rows projected before media facts existed have neither media field. */
  meta_info: MetaInfo & { media?: MediaFacts | null; mediaProbe?: MediaProbeState };
  requested_at: Date;
  uploaded_at: Date | null;
  failure_reason: string | null;
  last_revision: number | string;
}

export const VIDEO_INFO_COLUMNS = [
  'video_id',
  'user_id',
  'status',
  'uploaded_percentage',
  'meta_info',
  'requested_at',
  'uploaded_at',
  'failure_reason',
  'last_revision',
] as const satisfies readonly (keyof VideoInfoRecord)[];
