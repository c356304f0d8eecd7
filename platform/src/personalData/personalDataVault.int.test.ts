import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { ERASED_TEXT, UserId, VideoId, isSealedText, videoStreamName, type MetaInfo, type RecordedVideoEvent } from '@reelay/contracts';
import { createKnex } from '../postgres/database';
import { createTestDatabase, eventually } from '@reelay/testing';
import { KeyEncryptionKeyMismatch, PersonalDataVault, UnknownDataKey, UserErased } from './personalDataVault';

const metaInfo = (title: string): MetaInfo => ({ title, fileName: `${title.toLowerCase()}.mp4`, contentType: 'video/mp4', sizeBytes: 10, sha256: 'a'.repeat(64) });

/** An UploadRequested as a reader gets it from the log. */
function uploadRequested(userId: string, videoId: string, info: MetaInfo): RecordedVideoEvent {
  return {
    id: randomUUID(),
    type: 'UploadRequested',
    schemaVersion: 1,
    streamName: videoStreamName(videoId),
    revision: 0,
    position: { commit: '1', prepare: '1' },
    recordedAt: new Date().toISOString(),
    data: { videoId: VideoId.parse(videoId), userId: UserId.parse(userId), metaInfo: info, stagingRef: 'file:///x' },
    metadata: { correlationId: 'c', causationId: 'c', userId },
  } as RecordedVideoEvent;
}

const metaOf = (event: RecordedVideoEvent | undefined) => (event as Extract<RecordedVideoEvent, { type: 'UploadRequested' }>).data.metaInfo;

describe('the personal data vault', () => {
  let database: { url: string; drop: () => Promise<void> };
  let knex: Knex;
  let vault: PersonalDataVault;

  beforeEach(async () => {
    database = await createTestDatabase();
    knex = createKnex(database.url, { max: 4 });
    vault = PersonalDataVault.fromConfig(knex, {});
    await vault.migrate();
  });

  afterEach(async () => {
    await knex.destroy();
    await database.drop();
  });

  /** Seals like the command API does and returns the event a reader would get. */
  async function sealedUpload(userId: string, title: string, on: PersonalDataVault = vault) {
    const videoId = randomUUID();
    return uploadRequested(userId, videoId, await on.sealMetaInfo(userId, videoId, metaInfo(title)));
  }

  async function forget(userId: string, on: PersonalDataVault = vault) {
    return knex.transaction((trx) => on.destroyKeysOf(trx, userId));
  }

  it('seals the title and file name, and opens them again in another process with the same KEK', async () => {
    const event = await sealedUpload('alice', 'Holiday');
    expect(isSealedText(metaOf(event).title)).toBe(true);
    expect(isSealedText(metaOf(event).fileName)).toBe(true);
    expect(metaOf(event)).toMatchObject({ contentType: 'video/mp4', sizeBytes: 10 });
    const elsewhere = PersonalDataVault.fromConfig(knex, {});
    const [opened] = await elsewhere.openVideoEvents([event]);
    expect(metaOf(opened)).toEqual(metaInfo('Holiday'));
  });

  it('keeps one key per user, however many processes make it at once', async () => {
    const vaults = Array.from({ length: 4 }, () => PersonalDataVault.fromConfig(knex, {}));
    await Promise.all(vaults.map((each) => sealedUpload('carol', 'Race', each)));
    const rows = await knex('personal_data_keys').where({ user_id: 'carol' }).select('key_id', 'wrapped_key');
    expect(rows).toHaveLength(1);
    expect(rows[0].wrapped_key).toBeInstanceOf(Buffer);
  });

  it('opens a forgotten user’s fields as erased, in a transaction and from a warm cache alike, and leaves others readable', async () => {
    const alice = await sealedUpload('alice', 'Holiday');
    const bob = await sealedUpload('bob', 'Birthday');
    await vault.openVideoEvents([alice, bob]); // warm the cache
    const { destroyedKeyIds, hadKeys } = await forget('alice');
    expect(destroyedKeyIds).toHaveLength(1);
    expect(hadKeys).toBe(true);

    const [openedAlice, openedBob] = await vault.openVideoEvents([alice, bob]);
    expect(metaOf(openedAlice)).toMatchObject({ title: ERASED_TEXT, fileName: ERASED_TEXT, sizeBytes: 10 });
    expect(metaOf(openedBob)).toEqual(metaInfo('Birthday'));
    const inTransaction = await knex.transaction((trx) => vault.openVideoEvents([alice, bob], { transaction: trx }));
    expect(inTransaction.map((event) => metaOf(event).title)).toEqual([ERASED_TEXT, 'Birthday']);
  });

  it('opens nothing of a user another process has just forgotten, though this one unwrapped the key before', async () => {
    const reader = PersonalDataVault.fromConfig(knex, {}); // another process, its key memo kept 30 s
    const alice = await sealedUpload('alice', 'Holiday');
    expect(metaOf((await reader.openVideoEvents([alice]))[0]).title).toBe('Holiday');
    await forget('alice');
    expect(metaOf((await reader.openVideoEvents([alice]))[0]).title).toBe(ERASED_TEXT);
  });

  it('refuses to seal for a user another process forgot since this one last sealed for them, making no new key', async () => {
    const commandApi = PersonalDataVault.fromConfig(knex, {});
    await sealedUpload('alice', 'Before', commandApi);
    await forget('alice');
    await expect(sealedUpload('alice', 'After', commandApi)).rejects.toBeInstanceOf(UserErased);
    expect(await commandApi.isErased('alice')).toBe(true);
    expect(await commandApi.isErased('bob')).toBe(false);
    expect(await knex('personal_data_keys').where({ user_id: 'alice' }).whereNotNull('wrapped_key').count()).toEqual([{ count: 0 }]);
  });

  it('keeps the first key of a user whose recording transaction is lost after the event was appended', async () => {
    // The append commits on the event store's own connection; the recording's transaction can
    // still be lost afterwards (Postgres restarted between the two commits). The event is in the
    // log by then, so the key it is sealed with must be too.
    const videoId = randomUUID();
    let appended: MetaInfo | undefined;
    await expect(
      vault.recordSealed('erin', videoId, metaInfo('Lost commit'), async (sealed) => {
        appended = sealed;
        throw new Error('the connection was lost after the append');
      }),
    ).rejects.toThrow('the connection was lost after the append');
    expect(isSealedText(appended!.title)).toBe(true);
    const [opened] = await PersonalDataVault.fromConfig(knex, {}).openVideoEvents([uploadRequested('erin', videoId, appended!)]);
    expect(metaOf(opened)).toEqual(metaInfo('Lost commit'));
  });

  it('refuses a forgotten user who never had a key (a tombstone marks them)', async () => {
    await forget('dave');
    await expect(sealedUpload('dave', 'New')).rejects.toBeInstanceOf(UserErased);
    expect(await knex('personal_data_keys').where({ user_id: 'dave' }).count()).toEqual([{ count: 1 }]);
  });

  it('makes a forget wait for a recording in flight, and refuses the recordings that come after it', async () => {
    const order: string[] = [];
    let releaseRecording!: () => void;
    const recordingMayEnd = new Promise<void>((resolve) => (releaseRecording = resolve));
    let recordingStarted!: () => void;
    const started = new Promise<void>((resolve) => (recordingStarted = resolve));
    const first = vault.recordSealed('alice', randomUUID(), metaInfo('First'), async (sealed) => {
      recordingStarted();
      await recordingMayEnd; // the append to the log, in the command API
      order.push(`recorded ${isSealedText(sealed.title) ? 'sealed' : 'plain'}`);
    });
    await started;
    const forgetting = forget('alice').then(() => order.push('forget committed'));
    await eventually(async () => {
      const { rows } = await knex.raw(`select count(*)::int as waiting from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`);
      expect(rows[0].waiting).toBe(1);
    });
    releaseRecording();
    await Promise.all([first, forgetting]);
    let recorded = false;
    const record = async () => {
      recorded = true;
    };
    await expect(vault.recordSealed('alice', randomUUID(), metaInfo('Second'), record)).rejects.toBeInstanceOf(UserErased);
    expect(recorded).toBe(false);
    expect(order).toEqual(['recorded sealed', 'forget committed']);
  });

  it('reads plaintext written before sealing as it is, and as erased once its user is forgotten', async () => {
    const legacyAlice = uploadRequested('alice', randomUUID(), metaInfo('Plain'));
    const legacyBob = uploadRequested('bob', randomUUID(), metaInfo('Also plain'));
    expect((await vault.openVideoEvents([legacyAlice])).map((event) => metaOf(event).title)).toEqual(['Plain']);
    const { hadKeys } = await forget('alice');
    expect(hadKeys).toBe(false); // a tombstone marks her forgotten
    const opened = await vault.openVideoEvents([legacyAlice, legacyBob]);
    expect(opened.map((event) => metaOf(event).title)).toEqual([ERASED_TEXT, 'Also plain']);
  });

  it('destroys nothing more when a user is forgotten twice', async () => {
    await sealedUpload('alice', 'Holiday');
    expect((await forget('alice')).destroyedKeyIds).toHaveLength(1);
    expect(await forget('alice')).toEqual({ destroyedKeyIds: [], hadKeys: true });
    expect(await knex('personal_data_keys').where({ user_id: 'alice' }).whereNotNull('wrapped_key').count()).toEqual([{ count: 0 }]);
  });

  it('refuses to guess when a key was never in the table or was wrapped with another KEK', async () => {
    const alice = await sealedUpload('alice', 'Holiday');
    await knex.destroy();
    knex = createKnex(database.url, { max: 4 });
    const strangerKek = PersonalDataVault.fromConfig(knex, { PERSONAL_DATA_KEK: randomBytes(32).toString('base64') });
    await expect(strangerKek.openVideoEvents([alice])).rejects.toBeInstanceOf(KeyEncryptionKeyMismatch);
    await knex('personal_data_keys').del();
    await expect(PersonalDataVault.fromConfig(knex, {}).openVideoEvents([alice])).rejects.toBeInstanceOf(UnknownDataKey);
  });

  it('refuses a sealed field moved into another user’s event', async () => {
    const alice = await sealedUpload('alice', 'Holiday');
    const moved = uploadRequested('mallory', (alice.data as { videoId: string }).videoId, metaOf(alice));
    await expect(vault.openVideoEvents([moved])).rejects.toBeInstanceOf(UnknownDataKey);
  });

  it('makes a forget wait for a reader that holds the keys in its transaction, and holds later readers back until it commits', async () => {
    const alice = await sealedUpload('alice', 'Holiday');
    const order: string[] = [];
    let releaseReader!: () => void;
    const readerMayCommit = new Promise<void>((resolve) => (releaseReader = resolve));
    let readerHasRead!: () => void;
    const readerRead = new Promise<void>((resolve) => (readerHasRead = resolve));
    const reader = knex.transaction(async (trx) => {
      const [opened] = await vault.openVideoEvents([alice], { transaction: trx });
      order.push(`reader saw ${metaOf(opened).title}`);
      readerHasRead();
      await readerMayCommit;
      order.push('reader commits');
    });
    await readerRead;
    const forgetting = forget('alice').then(() => order.push('forget committed'));
    // The forget's session is blocked on the reader's lock, not merely slow.
    await eventually(async () => {
      const { rows } = await knex.raw(`select count(*)::int as waiting from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`);
      expect(rows[0].waiting).toBe(1);
    });
    expect(order).toEqual(['reader saw Holiday']);
    releaseReader();
    await Promise.all([reader, forgetting]);
    const [after] = await knex.transaction((trx) => vault.openVideoEvents([alice], { transaction: trx }));
    expect(order).toEqual(['reader saw Holiday', 'reader commits', 'forget committed']);
    expect(metaOf(after).title).toBe(ERASED_TEXT);
  });
});
