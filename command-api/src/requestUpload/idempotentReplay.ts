import type { Readable } from 'node:stream';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { asVideoEvent, videoStreamName, type MetaInfo, type VideoId } from '@reelay/contracts';
import { BodyMeter, HttpError, type PersonalDataVault } from '@reelay/platform';
import type { EventStore } from '@reelay/event-store';

/** What the first request of an `Idempotency-Key` is known by: its user is in the key's video id. */
export interface UploadFingerprint {
  readonly title: string;
  readonly fileName: string;
  /** SHA-256 of the body, hex; unknown until the body has been read. */
  readonly sha256?: string;
  readonly sizeBytes?: number;
}

/** What to answer a request whose `Idempotency-Key` already names a video. */
export type ReplayDecision =
  | { readonly kind: 'replay' }
  | { readonly kind: 'deleted' }
  | { readonly kind: 'different'; readonly fields: readonly string[] }
  /** Title and file name match: only the body can tell (it has to be hashed). */
  | { readonly kind: 'compare-body' };

/**
 * Pure: the same key again is a retry of the same upload only if user (the key's scope), title,
 * file name and body all match the first request; then the client gets the same answer. A key
 * whose video was deleted since names nothing to return: it must not look like a fresh `PENDING`.
 */
export function decideReplay(first: UploadFingerprint & { readonly deleted: boolean }, again: UploadFingerprint): ReplayDecision {
  if (first.deleted) return { kind: 'deleted' };
  const fields: string[] = [];
  if (first.title !== again.title) fields.push('title');
  if (first.fileName !== again.fileName) fields.push('fileName');
  const sizeKnownToDiffer = again.sizeBytes !== undefined && first.sizeBytes !== undefined && again.sizeBytes !== first.sizeBytes;
  if (sizeKnownToDiffer || (again.sha256 !== undefined && again.sha256 !== first.sha256)) fields.push('body');
  if (fields.length > 0) return { kind: 'different', fields };
  return again.sha256 === undefined ? { kind: 'compare-body' } : { kind: 'replay' };
}

export interface ReplayDeps {
  readonly store: EventStore;
  readonly personalData: Pick<PersonalDataVault, 'openVideoEvents'>;
  readonly maxUploadBytes: number;
  readonly idleTimeoutMs: number;
}

/** The first request of the key's video, opened, or undefined when the key is new. */
async function firstRequestOf(deps: ReplayDeps, videoId: VideoId): Promise<(Required<UploadFingerprint> & { deleted: boolean }) | undefined> {
  const events = await deps.store.readStream(videoStreamName(videoId));
  if (events.length === 0) return undefined;
  const opened = await deps.personalData.openVideoEvents(events.map(asVideoEvent));
  const requested = opened.find((event) => event.type === 'UploadRequested');
  const metaInfo = (requested?.data as { metaInfo?: MetaInfo } | undefined)?.metaInfo;
  const deleted = opened.some((event) => event.type === 'VideoDeleted');
  return { title: metaInfo?.title ?? '', fileName: metaInfo?.fileName ?? '', sha256: metaInfo?.sha256 ?? '', sizeBytes: metaInfo?.sizeBytes ?? -1, deleted };
}

/** Reads the body to its end without keeping it, for its SHA-256 (within the upload limits). */
async function hashBody(deps: ReplayDeps, body: Readable): Promise<{ sha256: string; sizeBytes: number }> {
  const meter = new BodyMeter({ maxBytes: deps.maxUploadBytes, idleTimeoutMs: deps.idleTimeoutMs });
  const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
  await pipeline(body, meter, discard);
  return { sha256: meter.sha256(), sizeBytes: meter.sizeBytes };
}

/**
 * Throws the problem for a reused key that does not name this same upload (422), or whose video
 * was deleted (409). Returns whether it is a replay of a recorded upload (answer as the first
 * time) — false when the key is new. `body` is read only when title and file name match.
 */
export async function checkIdempotentReplay(deps: ReplayDeps, videoId: VideoId, again: UploadFingerprint, body: Readable | undefined): Promise<boolean> {
  const first = await firstRequestOf(deps, videoId);
  if (!first) return false;
  let decision = decideReplay(first, again);
  if (decision.kind === 'compare-body' && body) decision = decideReplay(first, { ...again, ...(await hashBody(deps, body)) });
  switch (decision.kind) {
    case 'replay':
    case 'compare-body':
      return true;
    case 'deleted':
      throw new HttpError(
        409,
        'idempotency-key-video-deleted',
        `the video this Idempotency-Key created (${videoId}) has been deleted; to upload again, send a new Idempotency-Key`,
      );
    case 'different':
      throw new HttpError(
        422,
        'idempotency-key-reused',
        `this Idempotency-Key was first used for another upload (its ${decision.fields.join(', ')} differ); a key names one upload: send a new key for a new upload`,
      );
    default: {
      const unexpected: never = decision;
      throw new Error(`unknown replay decision ${JSON.stringify(unexpected)}`);
    }
  }
}
