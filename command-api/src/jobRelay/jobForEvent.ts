import { VideoId, type Job, type RecordedEvent } from '@reelay/contracts';

/** The event types that ask the uploader for work. */
export const JOB_EVENT_TYPES = ['UploadRequested', 'UploadRetryRequested', 'VideoDeleted', 'UploadCompleted'] as const;

/** The job an event asks for, or undefined. Pure: the job's id is the event's, so relaying twice is harmless. */
export function jobForEvent(event: RecordedEvent): Job | undefined {
  const videoId = VideoId.safeParse(event.streamName.replace(/^video-/, ''));
  if (!videoId.success) return undefined;
  switch (event.type) {
    case 'UploadRequested':
    case 'UploadRetryRequested':
      return { kind: 'upload', videoId: videoId.data, requestEventId: event.id };
    case 'VideoDeleted':
      return { kind: 'delete', videoId: videoId.data, requestEventId: event.id };
    case 'UploadCompleted':
      // Reading the stored container is work of its own, after the upload: it never delays one.
      return { kind: 'probe', videoId: videoId.data, requestEventId: event.id };
    default:
      return undefined;
  }
}
