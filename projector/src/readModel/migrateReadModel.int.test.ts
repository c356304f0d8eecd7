import { describe, it, expect } from '@jest/globals';
import { createKnex } from '@reelay/platform';
import { createTestDatabase } from '@reelay/testing';
import { READ_MODEL_MIGRATIONS_TABLE, migrateReadModel } from './migrateReadModel';

describe('migrateReadModel', () => {
  it('lets several copies migrate one fresh database at the same time', async () => {
    const database = await createTestDatabase();
    const copies = [createKnex(database.url, { max: 2 }), createKnex(database.url, { max: 2 }), createKnex(database.url, { max: 2 })];
    try {
      await Promise.all(copies.map((knex) => migrateReadModel(knex)));
      const [knex] = copies as [(typeof copies)[number]];
      const applied = await knex(READ_MODEL_MIGRATIONS_TABLE).select('name');
      expect(applied.map((row) => row.name)).toEqual(['0001_create_video_info', '0002_versioned_video_info']);
      // Version 1 holds the rows (and the indexes); `video_info` is the view readers use.
      const indexes = await knex('pg_indexes').where({ tablename: 'video_info_v1' }).pluck('indexname');
      expect(indexes).toEqual(expect.arrayContaining(['video_info_user_newest', 'video_info_user_status_newest']));
      expect(await knex('pg_views').where({ viewname: 'video_info' }).pluck('definition')).toEqual([expect.stringContaining('video_info_v1')]);
      expect(await knex('projection_versions').select('name', 'active_version', 'building_version')).toEqual([
        { name: 'video_info', active_version: 1, building_version: null },
      ]);
      expect(await knex.schema.hasTable('subscription_checkpoints')).toBe(true);
    } finally {
      await Promise.all(copies.map((knex) => knex.destroy()));
      await database.drop();
    }
  });
});
