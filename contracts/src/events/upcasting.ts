import type { VideoEventType } from './videoEvents';

/**
 * The schema version each event type is written with today. Bump it together with the
 * schema and add an upcaster from the previous version below.
 */
export const CURRENT_SCHEMA_VERSION: Readonly<Record<VideoEventType, number>> = {
  UploadRequested: 1,
  UploadRetryRequested: 1,
  UploadStarted: 1,
  ProgressReported: 1,
  UploadCompleted: 1,
  UploadFailed: 1,
  VideoDeleted: 1,
  NotificationSent: 1,
  NotificationFailed: 1,
};

/** Turns the data of version `n` into version `n + 1`. Pure: stored events are never rewritten. */
type Upcaster = (data: unknown) => unknown;

/** `UPCASTERS[type][n]` lifts version n to n + 1. Empty while every event is at version 1. */
const UPCASTERS: Partial<Record<string, Readonly<Record<number, Upcaster>>>> = {};

export class UnknownSchemaVersion extends Error {
  override readonly name = 'UnknownSchemaVersion';
  constructor(type: string, version: number) {
    super(`no upcaster brings ${type} v${version} to v${CURRENT_SCHEMA_VERSION[type as VideoEventType]}`);
  }
}

/** Lifts stored event data to the current version of its type, one version at a time. */
export function upcast(type: string, schemaVersion: number, data: unknown): unknown {
  const target = CURRENT_SCHEMA_VERSION[type as VideoEventType];
  if (target === undefined || schemaVersion === target) return data;
  let version = schemaVersion;
  let current = data;
  while (version < target) {
    const step = UPCASTERS[type]?.[version];
    if (!step) throw new UnknownSchemaVersion(type, schemaVersion);
    current = step(current);
    version += 1;
  }
  if (version !== target) throw new UnknownSchemaVersion(type, schemaVersion);
  return current;
}
