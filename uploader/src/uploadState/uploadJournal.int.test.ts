import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import type { Knex } from 'knex';
import { createKnex } from '@reelay/platform';
import { createTestDatabase } from '@reelay/testing';
import { UploadJournals, migrateUploadJournal } from './uploadJournal';

describe('the upload journal in Postgres', () => {
  let database: { url: string; drop(): Promise<void> };
  let knex: Knex;
  let journals: UploadJournals;

  beforeEach(async () => {
    database = await createTestDatabase('reelay_uploader_journal');
    knex = createKnex(database.url, { max: 2 });
    await migrateUploadJournal(knex);
    journals = new UploadJournals(knex);
  });
  afterEach(async () => {
    await knex.destroy();
    await database.drop();
  });

  it('remembers the upload id and the stored parts across instances, as a new process would read them', async () => {
    const journal = journals.forVideo('v1', 1);
    await journal.touch();
    expect(await journal.load()).toBeUndefined();
    await journal.begin('upload-1', 5);
    await journal.partStored('upload-1', { partNumber: 2, etag: '"b"' });
    await journal.partStored('upload-1', { partNumber: 1, etag: '"a"' });

    const reread = await new UploadJournals(knex).forVideo('v1', 2).load();

    expect(reread).toEqual({ uploadId: 'upload-1', partSizeBytes: 5, completedEtag: null, parts: [{ partNumber: 1, etag: '"a"' }, { partNumber: 2, etag: '"b"' }] });
  });

  it('drops a late part of an upload that was replaced, and forgets everything on request', async () => {
    const journal = journals.forVideo('v1', 1);
    await journal.begin('upload-1', 5);
    await journal.partStored('upload-1', { partNumber: 1, etag: '"old"' });
    await journal.begin('upload-2', 5);
    await journal.partStored('upload-1', { partNumber: 2, etag: '"late"' });
    await journal.partStored('upload-2', { partNumber: 1, etag: '"new"' });

    expect((await journal.load())?.parts).toEqual([{ partNumber: 1, etag: '"new"' }]);
    await journal.completed('"whole"');
    expect((await journal.load())?.completedEtag).toBe('"whole"');

    await journal.forget();
    expect(await journal.load()).toBeUndefined();
    expect(await journals.storedParts('v1')).toBe(0);
  });

  it('lists only uploads untouched for at least the given time, by the database clock', async () => {
    await journals.forVideo('fresh', 1).touch();
    await journals.forVideo('stale', 3).touch();
    await knex.raw(`update uploader_uploads set updated_at = now() - interval '10 minutes' where video_id = 'stale'`);

    const idle = await journals.idleSince(60_000);

    expect(idle.map(({ videoId, attempt }) => ({ videoId, attempt }))).toEqual([{ videoId: 'stale', attempt: 3 }]);
    expect(idle[0]?.idleMs).toBeGreaterThanOrEqual(600_000);
  });
});
