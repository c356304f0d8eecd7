import type { IncomingMessage } from 'node:http';
import type { Upload } from '@tus/utils';
import type { StagingTusStore } from './stagingTusStore';
import type { TusArea } from './tusArea';
import { UPLOAD_NAME } from './tusServer';
import { ownerOf } from './uploadOwner';

export interface OwnUploadDeps {
  readonly store: StagingTusStore;
  readonly area: TusArea;
}

// One look-up per request: the rate limit asks first (before the body), the route then.
const found = new WeakMap<IncomingMessage, Promise<Upload | undefined>>();

/**
 * The upload named `name` if it exists and `userId` created it; otherwise undefined (missing,
 * expired, terminated, or another user's: the caller cannot tell these apart).
 */
export function ownUpload(deps: OwnUploadDeps, raw: IncomingMessage, name: string, userId: string | undefined): Promise<Upload | undefined> {
  let lookup = found.get(raw);
  if (!lookup) {
    lookup = lookUp(deps, name, userId);
    found.set(raw, lookup);
  }
  return lookup;
}

async function lookUp(deps: OwnUploadDeps, name: string, userId: string | undefined): Promise<Upload | undefined> {
  if (!userId || !UPLOAD_NAME.test(name)) return undefined;
  const upload = await deps.store.getUpload(deps.area.idFor(name)).catch((error: { status_code?: number }) => {
    if (error.status_code === 404 || error.status_code === 410) return undefined;
    throw error;
  });
  return upload && ownerOf(upload) === userId ? upload : undefined;
}
