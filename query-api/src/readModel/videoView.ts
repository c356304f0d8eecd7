import type { VideoId, VideoStatus, VideoView } from '@reelay/contracts';
import type { VideoInfoRecord } from '@reelay/projector';
import { storedProgress } from './progress';

/** The public shape of API.md. The id and status come from typed, constrained columns. */
export function toVideoView(record: VideoInfoRecord): VideoView {
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
