import { videoIdOfStream, type Job, type RecordedEvent } from '@reelay/contracts';

/** The event types that ask the uploader for work. */
export const JOB_EVENT_TYPES = ['UploadRequested', 'UploadRetryRequested', 'VideoDeleted', 'UploadCompleted'] as const;

/** The job an event asks for, or undefined. Pure: the job's id is the event's, so relaying twice is harmless. */
export function jobForEvent(event: RecordedEvent): Job | undefined {
  const videoId = videoIdOfStream(event.streamName);
  if (!videoId) return undefined;
  switch (event.type) {
    case 'UploadRequested':
    case 'UploadRetryRequested':
      return { kind: 'upload', videoId, requestEventId: event.id };
    case 'VideoDeleted':
      return { kind: 'delete', videoId, requestEventId: event.id };
    case 'UploadCompleted':
      // Reading the stored container is work of its own, after the upload: it never delays one.
      return { kind: 'probe', videoId, requestEventId: event.id };
    default:
      return undefined;
  }
}
