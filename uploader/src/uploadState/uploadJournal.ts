import type { Knex } from 'knex';
import { migrateTakingTurns, type MultipartJournal, type MultipartJournalEntry, type StoredPart } from '@reelay/platform';

/**
 * The uploader's own durable state, in Postgres (`DATABASE_URL`): for each video being uploaded,
 * the live attempt, its S3 multipart upload id and the parts stored so far, so that a job
 * redelivered to another process after a crash resumes instead of starting over. `updated_at`
 * is touched by every stored part and every heartbeat of a live upload: a row that stays
 * untouched names an upload nobody is working on (see `sweepAbandonedUploads`).
 *
 * Rows live only while a video uploads: completion, permanent failure and the sweep remove them.
 */
export async function migrateUploadJournal(knex: Knex): Promise<void> {
  await migrateTakingTurns(knex, 'reelay.uploader.schema', async (trx) => {
    await trx.raw(`
      create table if not exists uploader_uploads (
        video_id text primary key,
        attempt integer not null,
        upload_id text,
        part_size_bytes bigint,
        completed_etag text,
        updated_at timestamptz not null default now()
      )`);
    await trx.raw(`
      create table if not exists uploader_upload_parts (
        video_id text not null references uploader_uploads (video_id) on delete cascade,
        part_number integer not null,
        etag text not null,
        primary key (video_id, part_number)
      )`);
    await trx.raw('create index if not exists uploader_uploads_updated_at on uploader_uploads (updated_at)');
  });
}

/** One video's journal, bound to the attempt that works on it. */
export interface VideoUploadJournal extends MultipartJournal {
  /** Says "an uploader is alive on this": creates the row for `attempt` or refreshes it. */
  touch(): Promise<void>;
}

/** An upload nobody has touched for a while. */
export interface IdleUpload {
  readonly videoId: string;
  readonly attempt: number;
  readonly idleMs: number;
}

export class UploadJournals {
  constructor(private readonly knex: Knex) {}

  forVideo(videoId: string, attempt: number): VideoUploadJournal {
    const knex = this.knex;
    return {
      touch: async () => {
        await knex.raw(
          `insert into uploader_uploads (video_id, attempt) values (?, ?)
           on conflict (video_id) do update set attempt = excluded.attempt, updated_at = now()`,
          [videoId, attempt],
        );
      },
      load: async (): Promise<MultipartJournalEntry | undefined> => {
        const row = await knex('uploader_uploads').where({ video_id: videoId }).first('upload_id', 'part_size_bytes', 'completed_etag');
        if (!row?.upload_id) return undefined;
        const parts = await knex('uploader_upload_parts').where({ video_id: videoId }).orderBy('part_number').select('part_number', 'etag');
        return {
          uploadId: row.upload_id as string,
          partSizeBytes: Number(row.part_size_bytes),
          completedEtag: (row.completed_etag as string | null) ?? null,
          parts: parts.map((part: { part_number: number; etag: string }): StoredPart => ({ partNumber: part.part_number, etag: part.etag })),
        };
      },
      begin: async (uploadId: string, partSizeBytes: number) => {
        await knex.transaction(async (trx) => {
          await trx('uploader_upload_parts').where({ video_id: videoId }).delete();
          await trx.raw(
            `insert into uploader_uploads (video_id, attempt, upload_id, part_size_bytes) values (?, ?, ?, ?)
             on conflict (video_id) do update set attempt = excluded.attempt, upload_id = excluded.upload_id,
               part_size_bytes = excluded.part_size_bytes, completed_etag = null, updated_at = now()`,
            [videoId, attempt, uploadId, partSizeBytes],
          );
        });
      },
      partStored: async (uploadId: string, part: StoredPart) => {
        await knex.transaction(async (trx) => {
          // Only into the upload the row names now: a superseded attempt's late part is dropped.
          await trx.raw(
            `insert into uploader_upload_parts (video_id, part_number, etag)
               select video_id, ?, ? from uploader_uploads where video_id = ? and upload_id = ?
             on conflict (video_id, part_number) do update set etag = excluded.etag`,
            [part.partNumber, part.etag, videoId, uploadId],
          );
          await trx('uploader_uploads').where({ video_id: videoId }).update({ updated_at: knex.fn.now() });
        });
      },
      completed: async (etag: string) => {
        await knex('uploader_uploads').where({ video_id: videoId }).update({ completed_etag: etag, updated_at: knex.fn.now() });
      },
      forget: () => this.forget(videoId),
    };
  }

  async forget(videoId: string): Promise<void> {
    await deleteRow(this.knex, videoId);
  }

  /** Uploads untouched for at least `idleMs`, by the database's clock (one clock for every copy). */
  async idleSince(idleMs: number): Promise<IdleUpload[]> {
    const result = await this.knex.raw(
      `select video_id, attempt, (extract(epoch from now() - updated_at) * 1000)::bigint as idle_ms
         from uploader_uploads where updated_at < now() - make_interval(secs => ? / 1000.0) order by updated_at limit 100`,
      [idleMs],
    );
    return (result.rows as { video_id: string; attempt: number; idle_ms: string }[]).map((row) => ({
      videoId: row.video_id,
      attempt: row.attempt,
      idleMs: Number(row.idle_ms),
    }));
  }

  /** How many parts are journalled for a video (tests and diagnostics). */
  async storedParts(videoId: string): Promise<number> {
    const row = await this.knex('uploader_upload_parts').where({ video_id: videoId }).count<{ count: string }[]>({ count: '*' });
    return Number(row[0]?.count ?? 0);
  }
}

async function deleteRow(knex: Knex, videoId: string): Promise<void> {
  await knex('uploader_uploads').where({ video_id: videoId }).delete();
}
