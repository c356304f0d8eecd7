import type { Knex } from 'knex';
import type { Locker } from '@tus/utils';
import { OPEN_UPLOADS_TABLE } from './openUploads';
import type { TusArea } from './tusArea';
import { ownerOf } from './uploadOwner';

export interface ForgetTusUploadsDeps {
  readonly area: TusArea;
  /** Where `tus_open_uploads` is (DATABASE_URL). */
  readonly knex: Knex;
  /** The command API's upload locks (a PostgresLocker on DATABASE_URL). */
  readonly locker: Locker;
}

export interface ForgottenTusUploads {
  /** Store ids of the user's uploads removed, finished or not. */
  readonly removed: readonly string[];
}

/**
 * `reelay forget-user`'s part in tus: removes every upload the user created — its record, which
 * keeps the title and file name as sent (`.tus/<id>.json`, or the S3 `<name>.info`), and the bytes
 * of one not finished (its file, or its S3 multipart upload and `.part`) — and gives back their
 * places in `tus_open_uploads`. A later HEAD or PATCH of one finds nothing (404), so it cannot be
 * finished. The owner is read from each record (uploadOwner's reserved key); the records are few,
 * since every one expires.
 *
 * Run it after the user is marked forgotten: a creation checks the mark again once its record
 * exists (resumableUploadRoutes' undoIfErased), so a record this listing misses is removed there.
 * Each upload is removed under its lock, as tus' DELETE removes it: a PATCH still writing is asked
 * to let go first (its client hears 400 "aborted", then 404), instead of failing half-way on a
 * record or multipart upload gone from under it.
 */
export async function forgetTusUploads(deps: ForgetTusUploadsDeps, userId: string): Promise<ForgottenTusUploads> {
  const removed: string[] = [];
  for (const record of await deps.area.records()) {
    if (ownerOf(record) !== userId) continue;
    const lock = deps.locker.newLock(record.id);
    await lock.lock(new AbortController().signal, () => undefined);
    try {
      await deps.area.removeRecord(record.id);
    } finally {
      await lock.unlock();
    }
    removed.push(record.id);
  }
  await deps.knex(OPEN_UPLOADS_TABLE).where({ user_id: userId }).delete().catch((error: { code?: string }) => {
    // No command API ever ran on this database: no places to give back.
    if (error.code !== '42P01') throw error;
  });
  return { removed };
}
