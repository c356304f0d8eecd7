import type { Knex } from 'knex';
import { migrateTakingTurns } from '../postgres/migrateTakingTurns';

/**
 * How much of a video has reached the command API while its bytes are still arriving: one row
 * per video, written (throttled) by the command API and read by the query API. Not an event: a
 * byte count every second would swamp the log, and a request that fails must record nothing.
 * The command API removes a row when its upload fails or expires, and once it is old.
 */
export const INTAKE_PROGRESS_TABLE = 'intake_progress';

export interface IntakeProgressRow {
  video_id: string;
  user_id: string;
  /** Title, file name and content type as the upload declared them. */
  meta_info: { title: string; fileName: string; contentType: string };
  received_bytes: number | string;
  /** Null while the client has not said how large the video is (chunked POST, deferred tus length). */
  total_bytes: number | string | null;
  started_at: Date;
  updated_at: Date;
}

/** Creates the table when missing; both APIs call it at start, whichever comes first. */
export async function migrateIntakeProgress(knex: Knex): Promise<void> {
  await migrateTakingTurns(knex, 'reelay.intake_progress.schema', async (trx) => {
    await trx.raw(`
    create table if not exists ${INTAKE_PROGRESS_TABLE} (
      video_id uuid primary key,
      user_id text not null,
      meta_info jsonb not null,
      received_bytes bigint not null,
      total_bytes bigint,
      started_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`);
    await trx.raw(`create index if not exists ${INTAKE_PROGRESS_TABLE}_user_idx on ${INTAKE_PROGRESS_TABLE} (user_id, started_at desc)`);
  });
}
