import { TERMINAL, type VideoStatus } from './types';

/** What a Reelay push tells the app: which video, and the status it reached. */
export interface PushedStatus {
  readonly videoId: string;
  readonly status: VideoStatus;
}

function asPushed(value: unknown): PushedStatus | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { videoId, status } = value as Record<string, unknown>;
  if (typeof videoId !== 'string' || typeof status !== 'string') return undefined;
  return TERMINAL.includes(status as VideoStatus) ? { videoId, status: status as VideoStatus } : undefined;
}

/**
 * Reads a push payload as the app receives it: the push's data itself (`{videoId, status}`), or
 * a notification object that carries it as `data` or `additionalData` (OneSignal's SDKs).
 * Anything else is not a Reelay push: undefined.
 */
export function pushedStatusOf(payload: unknown): PushedStatus | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const record = payload as Record<string, unknown>;
  return asPushed(record) ?? asPushed(record.data) ?? asPushed(record.additionalData);
}
