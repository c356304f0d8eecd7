import type { VideoEventOf } from '../../events/videoEvents';
import type { VideoState } from '../state';
import { ownsAttempt } from './ownership';

/** How far an attempt has got (already throttled by the uploader). */
export interface ReportProgress {
  readonly attempt: number;
  readonly uploadedBytes: number;
  readonly totalBytes: number;
  readonly percentage: number;
}

/** LOADING stays LOADING. Nothing for an attempt that is no longer the live one: it should stop. */
export function decideReportProgress(command: ReportProgress, state: VideoState | undefined): VideoEventOf<'ProgressReported'>[] {
  if (!ownsAttempt(state, command.attempt)) return [];
  const { attempt, uploadedBytes, totalBytes, percentage } = command;
  return [{ type: 'ProgressReported', data: { attempt, uploadedBytes, totalBytes, percentage } }];
}
