import { Metadata, type Upload } from '@tus/utils';
import { tusError, type StagingTusStore } from './stagingTusStore';

/**
 * Where the owner of a tus upload is kept: in the upload's record, beside the metadata the client
 * sent, under a key no client may send. The record is written once, at creation, from the
 * authenticated user (tus has no way to change metadata afterwards), so the owner read back is the
 * one who created the upload. The key never leaves the server: HEAD answers the metadata without it.
 *
 * Why not a store of its own (a table): the record is already read on every request of an upload
 * (its offset), under the upload's lock, and goes when the upload goes; a second store could
 * disagree with it. Why not strip only on the way out with any key name: a client could then send
 * the owner key itself; reserving the `reelay-` prefix and refusing it at creation closes that.
 */
export const OWNER_KEY = 'reelay-owner';
/** Metadata keys the server keeps for itself; a creation that sends one is refused. */
const RESERVED_PREFIX = 'reelay-';

type UploadMetadata = NonNullable<Upload['metadata']>;

/** The user who created the upload (the only one who may HEAD, PATCH or DELETE it), if recorded. */
export function ownerOf(upload: Pick<Upload, 'metadata'> | undefined): string | undefined {
  const metadata = upload?.metadata;
  if (!metadata) return undefined;
  const owner = metadata[OWNER_KEY];
  if (typeof owner === 'string' && owner !== '') return owner;
  // Uploads created before this key existed kept the owner as `userId` beside a `videoId` the
  // server added; a client never had its own keys kept then, so that pair is the server's.
  const legacy = metadata.videoId !== undefined ? metadata.userId : undefined;
  return typeof legacy === 'string' && legacy !== '' ? legacy : undefined;
}

/** The creator of the upload with store id `id`; undefined when there is no such upload. */
export async function findOwner(store: StagingTusStore, id: string): Promise<string | undefined> {
  const upload = await store.getUpload(id).catch((error: { status_code?: number }) => {
    if (error.status_code === 404 || error.status_code === 410) return undefined;
    throw error;
  });
  return ownerOf(upload);
}

/** The record's metadata at creation: what the client sent, and the owner. Throws 400 on a reserved key. */
export function withOwner(sent: Upload['metadata'], userId: string): UploadMetadata {
  const reserved = Object.keys(sent ?? {}).filter((key) => key.toLowerCase().startsWith(RESERVED_PREFIX));
  if (reserved.length > 0) {
    throw tusError(400, `Upload-Metadata key ${reserved.map((key) => JSON.stringify(key)).join(', ')} is kept for the server (no key may start with "${RESERVED_PREFIX}")`);
  }
  return { ...sent, [OWNER_KEY]: userId };
}

/** An `Upload-Metadata` header value without the server's keys: what the client sent. */
export function clientMetadataHeader(value: string): string {
  const parsed = Metadata.parse(value);
  const kept = Object.fromEntries(Object.entries(parsed).filter(([key]) => !key.toLowerCase().startsWith(RESERVED_PREFIX)));
  return Metadata.stringify(kept);
}
