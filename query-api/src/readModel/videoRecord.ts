import type { MediaFacts, MediaProbeState, VideoId, VideoStatus, VideoView } from '@reelay/contracts';
import { storedProgress } from './progress';

/**
 * One `video_info` row as the query API reads it. The table belongs to the projector; this is
 * the read side's view of its columns, kept in step with the projector's migrations.
 */
export interface VideoRecord {
  video_id: string;
  user_id: string;
  status: string;
  uploaded_percentage: number;
  meta_info: { title: string; fileName: string; contentType: string; sizeBytes: number; media?: MediaFacts | null; mediaProbe?: MediaProbeState };
  requested_at: Date;
  uploaded_at: Date | null;
  failure_reason: string | null;
  last_revision: number | string;
}

export const VIDEO_RECORD_COLUMNS = [
  'video_id',
  'user_id',
  'status',
  'uploaded_percentage',
  'meta_info',
  'requested_at',
  'uploaded_at',
  'failure_reason',
  'last_revision',
] as const;

/** The public shape of API.md. The id and status come from typed, constrained columns. */
export function toVideoView(record: VideoRecord): VideoView {
  const { title, fileName, contentType, sizeBytes } = record.meta_info;
  return {
    videoId: record.video_id as VideoId,
    userId: record.user_id,
    status: record.status as VideoStatus,
    uploadedPercentage: record.uploaded_percentage,
    metaInfo: {
      title,
      fileName,
      contentType,
      sizeBytes,
      requestedAt: record.requested_at.toISOString(),
      uploadedAt: record.uploaded_at?.toISOString() ?? null,
      // Rows projected before media facts existed have neither field.
      media: record.meta_info.media ?? null,
      mediaProbe: record.meta_info.mediaProbe ?? 'pending',
    },
    failureReason: record.failure_reason,
    progress: storedProgress(record.status as VideoStatus, sizeBytes, record.uploaded_percentage),
  };
}
