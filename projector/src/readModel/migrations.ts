import type { Knex } from 'knex';

/**
 * The read model's schema history, oldest first. A released migration is never edited: a change
 * is a new entry. Names sort in the order they must run.
 *
 * Since 0002 `video_info` is a view of the active version's table (`video_info_vN`, N moves with
 * every rebuild): a later change of its columns alters `await activeTable(knex, 'video_info')`
 * and then re-creates the view (`create or replace view video_info as select * from …`). A
 * rebuild copies the active table's shape, so the next version has the change too.
 */
export const READ_MODEL_MIGRATIONS: ReadonlyArray<{ readonly name: string; readonly migration: Knex.Migration }> = [
  {
    name: '0001_create_video_info',
    migration: {
      async up(knex) {
        await knex.raw(`
          create table video_info (
            video_id uuid primary key,
            user_id text not null,
            status text not null check (status in ('PENDING', 'LOADING', 'UPLOADED', 'DELETED', 'FAILED')),
            uploaded_percentage smallint not null default 0 check (uploaded_percentage between 0 and 100),
            meta_info jsonb not null,
            requested_at timestamptz not null,
            uploaded_at timestamptz,
            failure_reason text,
            last_revision bigint not null,
            updated_at timestamptz not null default now()
          )`);
        // "A user's videos, newest first", paged by keyset on (requested_at, video_id) …
        await knex.raw('create index video_info_user_newest on video_info (user_id, requested_at desc, video_id desc)');
        // … and the same filtered by status.
        await knex.raw('create index video_info_user_status_newest on video_info (user_id, status, requested_at desc, video_id desc)');
      },
      async down(knex) {
        await knex.raw('drop table if exists video_info');
      },
    },
  },
  {
    // The read model becomes versioned, so it can be rebuilt beside the version being served and
    // switched to atomically (`reelay projections rebuild`): the rows live in `video_info_v<N>`,
    // `video_info` is a view of the active one (readers and simple writers keep its name), and
    // `projection_versions` says which version is active and which one is being built.
    name: '0002_versioned_video_info',
    migration: {
      async up(knex) {
        await knex.raw(`
          create table projection_versions (
            name text primary key,
            active_version integer not null,
            building_version integer,
            switched_at timestamptz not null default now()
          )`);
        await knex.raw('alter table video_info rename to video_info_v1');
        await knex.raw('create view video_info as select * from video_info_v1');
        await knex.raw(`insert into projection_versions (name, active_version) values ('video_info', 1)`);
      },
      async down(knex) {
        await knex.raw('drop view if exists video_info');
        await knex.raw('alter table video_info_v1 rename to video_info');
        await knex.raw('drop table if exists projection_versions');
      },
    },
  },
];
