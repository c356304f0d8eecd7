import type { VideoEventType } from './videoEvents';

/**
 * The schema version each event type is written with today. Bump it together with the
 * schema and add an upcaster from the previous version to `UPCASTERS`.
 */
export const CURRENT_SCHEMA_VERSION: Readonly<Record<VideoEventType, number>> = {
  UploadRequested: 1,
  UploadRetryRequested: 1,
  UploadStarted: 1,
  ProgressReported: 1,
  UploadCompleted: 2,
  UploadFailed: 1,
  VideoDeleted: 1,
  NotificationSent: 1,
  NotificationFailed: 2,
  MediaProbed: 1,
  MediaProbeFailed: 1,
};

/**
 * Turns the data of version `n` into version `n + 1`. Pure and total over what version `n`
 * writers produced: stored events are never rewritten, so every reader, on either event store
 * adapter, lifts them the same way each time it reads them.
 */
export type Upcaster = (data: Readonly<Record<string, unknown>>) => Record<string, unknown>;

/**
 * `UPCASTERS[type][n]` lifts version n to n + 1; a chain runs one step at a time up to the
 * current version. Only steps, never shortcuts: each is written once, when its version is new.
 */
export const UPCASTERS: Readonly<Partial<Record<VideoEventType, Readonly<Record<number, Upcaster>>>>> = {
  UploadCompleted: {
    // v1 → v2: v1 accepted an empty ETag (what Ceph's gateway answers to the first completion).
    // The object is whole either way; its ETag was simply not recorded, and S3 still has it.
    1: (data) => ({ ...data, etag: data.etag === '' ? UNRECORDED_ETAG : data.etag }),
  },
  NotificationFailed: {
    // v1 → v2: the provider's HTTP status was not recorded; "unknown" is the only honest value.
    1: (data) => ({ ...data, providerStatus: null }),
  },
};

/** The ETag of a v1 UploadCompleted that recorded none. */
export const UNRECORDED_ETAG = 'unrecorded';

/** Stored data whose version no chain brings to the current one (newer than this code, or unknown). */
export class UnknownSchemaVersion extends Error {
  override readonly name = 'UnknownSchemaVersion';
  constructor(
    readonly eventType: string,
    readonly schemaVersion: number,
  ) {
    super(`no upcaster brings ${eventType} v${schemaVersion} to v${CURRENT_SCHEMA_VERSION[eventType as VideoEventType]}`);
  }
}

/** The version a new event is stored with: the one its writer says, else its type's current one. */
export function schemaVersionToWrite(event: { readonly type: string; readonly schemaVersion?: number }): number {
  return event.schemaVersion ?? CURRENT_SCHEMA_VERSION[event.type as VideoEventType] ?? 1;
}

/**
 * Lifts stored event data to the current version of its type, one version at a time. Types the
 * contracts do not know pass through unchanged (the log may hold other streams' events).
 */
export function upcast(type: string, schemaVersion: number, data: unknown): unknown {
  const target = CURRENT_SCHEMA_VERSION[type as VideoEventType];
  if (target === undefined || schemaVersion === target) return data;
  if (schemaVersion > target || typeof data !== 'object' || data === null) throw new UnknownSchemaVersion(type, schemaVersion);
  let current = data as Record<string, unknown>;
  for (let version = schemaVersion; version < target; version += 1) {
    const step = UPCASTERS[type as VideoEventType]?.[version];
    if (!step) throw new UnknownSchemaVersion(type, schemaVersion);
    current = step(current);
  }
  return current;
}
