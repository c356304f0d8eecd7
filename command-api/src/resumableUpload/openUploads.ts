import type { Knex } from 'knex';
import { migrateTakingTurns } from '@reelay/platform';

/** The places of unfinished tus uploads, one row per upload (see OpenUploads). */
export const OPEN_UPLOADS_TABLE = 'tus_open_uploads';
const TABLE = OPEN_UPLOADS_TABLE;

export interface OpenUploadsOptions {
  /** Unfinished tus uploads one user may have at once (MAX_OPEN_UPLOADS_PER_USER). */
  readonly maxPerUser: number;
  /** An upload older than this has expired: it no longer takes a place, even before expiry removes it. */
  readonly expirationMs: number;
}

/**
 * The places of users' unfinished tus uploads, in Postgres so that every command API process
 * counts the same uploads: each is an S3 multipart upload or a file pair until it finishes, is
 * terminated or expires, so one user must not open them without bound. A place is taken at
 * creation under a per-user advisory lock (two processes creating at once cannot both take the
 * last place) and given back when the upload finishes or is removed; a place whose upload
 * outlived its expiration counts no more, so one lost on a crash frees itself.
 */
export class OpenUploads {
  constructor(
    private readonly knex: Knex,
    readonly options: OpenUploadsOptions,
  ) {}

  static async migrate(knex: Knex): Promise<void> {
    await migrateTakingTurns(knex, 'reelay.open_uploads.schema', (trx) =>
      trx.raw(`
      create table if not exists ${TABLE} (
        upload_id text primary key,
        user_id text not null,
        created_at timestamptz not null default now()
      );
      create index if not exists ${TABLE}_by_user on ${TABLE} (user_id, created_at);
    `),
    );
  }

  /** Takes a place for `uploadId`; false when `userId` has `maxPerUser` unfinished uploads already. */
  async tryOpen(userId: string, uploadId: string): Promise<boolean> {
    return this.knex.transaction(async (trx) => {
      await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`${TABLE}:${userId}`]);
      const row = await trx(TABLE)
        .where({ user_id: userId })
        .andWhere('created_at', '>', trx.raw(`now() - (? * interval '1 millisecond')`, [this.options.expirationMs]))
        .count<{ count: string }[]>({ count: '*' })
        .first();
      if (Number(row?.count ?? 0) >= this.options.maxPerUser) return false;
      await trx(TABLE).insert({ upload_id: uploadId, user_id: userId }).onConflict('upload_id').ignore();
      return true;
    });
  }

  /** Gives the upload's place back (finished, terminated, refused or expired); nothing when it had none. */
  async close(uploadId: string): Promise<void> {
    await this.knex(TABLE).where({ upload_id: uploadId }).delete();
  }

  /** Unfinished uploads `userId` holds places for now. */
  async countOf(userId: string): Promise<number> {
    const row = await this.knex(TABLE)
      .where({ user_id: userId })
      .andWhere('created_at', '>', this.knex.raw(`now() - (? * interval '1 millisecond')`, [this.options.expirationMs]))
      .count<{ count: string }[]>({ count: '*' })
      .first();
    return Number(row?.count ?? 0);
  }
}
