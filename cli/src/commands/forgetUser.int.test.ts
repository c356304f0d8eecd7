import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { newEvent, ERASED_TEXT, UserId, VideoId, videoStreamName, type VideoEvent } from '@reelay/contracts';
import { FileStagingStore, PersonalDataVault, createKnex, createLogger } from '@reelay/platform';
import { PostgresLocker, fileTusArea } from '@reelay/command-api';
import { createTestEventStore, createTestObjectStorage, eventually, type TestObjectStorage } from '@reelay/testing';
import { VideoInfoProjection, migrateReadModel } from '@reelay/projector';
import { CliFailure } from '../cliFailure';
import { forgetUser, type ForgetUserDeps } from './forgetUser';

describe('forgetUser', () => {
  let events: Awaited<ReturnType<typeof createTestEventStore>>;
  let knex: Knex;
  let vault: PersonalDataVault;
  let staging: FileStagingStore;
  let stagingDir: string;
  let objects: TestObjectStorage;
  let projection: VideoInfoProjection;
  let deps: ForgetUserDeps;
  let locker: PostgresLocker;

  beforeEach(async () => {
    events = await createTestEventStore();
    knex = createKnex(events.url, { max: 6 });
    await migrateReadModel(knex);
    vault = PersonalDataVault.fromConfig(knex, {});
    await vault.migrate();
    stagingDir = await mkdtemp(path.join(os.tmpdir(), 'reelay-forget-'));
    staging = new FileStagingStore(stagingDir);
    objects = await createTestObjectStorage();
    projection = new VideoInfoProjection({ knex, store: events.store, logger: createLogger('forget-test', 'silent'), retryDelayMs: 50, personalData: vault });
    projection.start();
    locker = new PostgresLocker({ connectionString: events.url, logger: createLogger('forget-test', 'silent') });
    await locker.start();
    deps = { store: events.store, knex, vault, staging, tusArea: fileTusArea(staging, 60_000), tusLocker: locker, objectStorage: () => objects.storage };
  });

  afterEach(async () => {
    await locker.stop();
    await projection.stop();
    await knex.destroy();
    await events.dispose();
    await objects.cleanup();
    await rm(stagingDir, { recursive: true, force: true });
  });

  const metadata = (userId: string) => ({ correlationId: randomUUID(), causationId: randomUUID(), userId });

  /** A video as the command API and the uploader leave it: staged (PENDING), or stored (UPLOADED). */
  async function video(userId: string, title: string, options: { stored: boolean; sealed?: boolean }) {
    const videoId = randomUUID();
    const staged = await staging.write(videoId, Readable.from([Buffer.from(`bytes of ${title}`)]), { maxBytes: 1024 });
    const plain = { title, fileName: `${title}.mp4`, contentType: 'video/mp4', sizeBytes: staged.sizeBytes, sha256: staged.sha256 };
    const metaInfo = options.sealed === false ? plain : await vault.sealMetaInfo(userId, videoId, plain);
    const stream: VideoEvent[] = [{ type: 'UploadRequested', data: { videoId: VideoId.parse(videoId), userId: UserId.parse(userId), metaInfo, stagingRef: staged.ref } }];
    if (options.stored) {
      const key = `videos/${videoId}`;
      await objects.storage.upload(key, Readable.from([Buffer.from(title)]), { sizeBytes: Buffer.byteLength(title), contentType: 'video/mp4' });
      await staging.remove(staged.ref);
      stream.push(
        { type: 'UploadStarted', data: { attempt: 1, bucket: objects.bucket, objectKey: key } },
        { type: 'UploadCompleted', data: { attempt: 1, bucket: objects.bucket, objectKey: key, etag: 'e', sizeBytes: 1, durationMs: 1 } },
      );
    }
    await events.store.appendToStream(videoStreamName(videoId), stream.map((event) => newEvent(event, metadata(userId))), { expectedRevision: 'no_stream' });
    return videoId;
  }

  const row = (videoId: string) => knex('video_info').where({ video_id: videoId }).first('status', 'meta_info');

  it('destroys the keys, scrubs the rows, deletes the videos and removes their objects and staged copies, for that user only', async () => {
    const pending = await video('alice', 'Lake', { stored: false });
    const stored = await video('alice', 'Hike', { stored: true });
    const legacy = await video('alice', 'Plain old', { stored: false, sealed: false });
    const bobs = await video('bob', 'Forty', { stored: true });
    await eventually(async () => expect((await knex('video_info').count())[0]).toEqual({ count: 4 }));
    expect((await row(pending)).meta_info.title).toBe('Lake');

    const report = await forgetUser(deps, UserId.parse('alice'), 'test');

    expect(report).toMatchObject({ alreadyForgotten: false, rowsScrubbed: 3, videosDeleted: 3, objectsRemoved: 1, stagedCopiesRemoved: 3, stagedCopiesElsewhere: 0, tusUploadsRemoved: 0 });
    expect(report.destroyedKeyIds).toHaveLength(1);
    expect([...report.videoIds].sort()).toEqual([pending, stored, legacy].sort());
    expect(report.recorded).toMatchObject({ type: 'UserForgotten', streamName: 'user-alice', data: { userId: 'alice', videoCount: 3, requestedBy: 'test' } });
    for (const videoId of [pending, stored, legacy]) {
      await eventually(async () => expect(await row(videoId)).toEqual({ status: 'DELETED', meta_info: expect.objectContaining({ title: ERASED_TEXT, fileName: ERASED_TEXT }) }));
    }
    expect(await row(bobs)).toEqual({ status: 'UPLOADED', meta_info: expect.objectContaining({ title: 'Forty', fileName: 'Forty.mp4' }) });
    expect(await objects.storage.exists(`videos/${stored}`)).toBe(false);
    expect(await objects.storage.exists(`videos/${bobs}`)).toBe(true);
    expect((await readdir(stagingDir)).filter((name) => name !== '.tus')).toEqual([]);
    const deletion = (await events.store.readStream(videoStreamName(pending))).at(-1);
    expect(deletion).toMatchObject({ type: 'VideoDeleted', metadata: { causationId: report.recorded?.id } });
  });

  it('checks again without recording anything twice when a user is forgotten twice', async () => {
    await video('alice', 'Lake', { stored: false });
    await forgetUser(deps, UserId.parse('alice'), 'test');
    const again = await forgetUser(deps, UserId.parse('alice'), 'test');
    expect(again).toMatchObject({ alreadyForgotten: true, destroyedKeyIds: [], videosDeleted: 0, recorded: undefined });
    expect((await events.store.readStream('user-alice')).map((event) => event.type)).toEqual(['UserForgotten']);
  });

  it('refuses a user it knows nothing of, and changes nothing', async () => {
    await video('alice', 'Lake', { stored: false });
    await expect(forgetUser(deps, UserId.parse('nobody'), 'test')).rejects.toThrow(CliFailure);
    expect(await knex('personal_data_keys').where({ user_id: 'nobody' }).count()).toEqual([{ count: 0 }]);
    expect(await events.store.readStream('user-nobody')).toEqual([]);
  });
});
