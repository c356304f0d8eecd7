import { z } from 'zod';
import { VideoId } from './ids';

/**
 * Work for the uploader, derived from the event log by the job relay. `requestEventId` is the
 * event that asked for the work; it doubles as the JetStream message id, so a job relayed twice
 * is dropped by the server's de-duplication, and the uploader checks the stream's state anyway.
 */
export const UploadJob = z.object({
  kind: z.literal('upload'),
  videoId: VideoId,
  requestEventId: z.uuid(),
});

/** Remove a deleted video's object and any staged copy. */
export const DeleteJob = z.object({
  kind: z.literal('delete'),
  videoId: VideoId,
  requestEventId: z.uuid(),
});

/** Read the stored video's container (`requestEventId`: its UploadCompleted). */
export const ProbeJob = z.object({
  kind: z.literal('probe'),
  videoId: VideoId,
  requestEventId: z.uuid(),
});

export const Job = z.discriminatedUnion('kind', [UploadJob, DeleteJob, ProbeJob]);
export type Job = z.infer<typeof Job>;
export type UploadJob = z.infer<typeof UploadJob>;
export type DeleteJob = z.infer<typeof DeleteJob>;
export type ProbeJob = z.infer<typeof ProbeJob>;

/** The JetStream message id of a job: stable for one request, so duplicates are dropped. */
export function jobMessageId(job: Job): string {
  return `${job.kind}-${job.requestEventId}`;
}
