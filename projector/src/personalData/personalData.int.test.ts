import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { ERASED_TEXT, START, UserId, VideoId, type VideoEvent } from '@reelay/contracts';
import { PersonalDataVault } from '@reelay/platform';
import { inCheckpointedTransaction } from '@reelay/event-store';
import { readWholeLog } from '@reelay/testing';
import { appendVideoEvents } from '../testing/appendVideoEvents';
import { createReadModelTestContext, type ReadModelTestContext } from '../testing/readModelTestContext';
import { happyPath, sampleMetaInfo } from '../testing/videoEventFixtures';
import { projectBatch } from '../videoInfo/projectBatch';
import { VIDEO_INFO_PROJECTION } from '../videoInfo/videoInfo';
import { VideoInfoProjection } from '../videoInfo/videoInfoProjection';
import { eraseUserFromReadModel } from './eraseUserFromReadModel';

describe('personal data in the video_info read model', () => {
  let context: ReadModelTestContext;
  let vault: PersonalDataVault;

  beforeEach(async () => {
    context = await createReadModelTestContext();
    vault = PersonalDataVault.fromConfig(context.knex, {});
    await vault.migrate();
  });

  const projections: VideoInfoProjection[] = [];

  afterEach(async () => {
    await Promise.all(projections.splice(0).map((projection) => projection.stop()));
    await context.dispose();
  });

  /** A video's happy path with its title and file name sealed, as the command API writes it. */
  async function sealedUpload(userId: string, title: string): Promise<string> {
    const videoId = randomUUID();
    const metaInfo = await vault.sealMetaInfo(userId, videoId, { ...sampleMetaInfo, title, fileName: `${title}.mp4` });
    const [requested, ...rest] = happyPath(videoId, userId);
    await appendVideoEvents(context.store, videoId, [{ ...requested, data: { ...requested!.data, metaInfo } } as VideoEvent, ...rest]);
    return videoId;
  }

  async function legacyUpload(userId: string, title: string): Promise<string> {
    const videoId = randomUUID();
    await appendVideoEvents(context.store, videoId, [
      { type: 'UploadRequested', data: { videoId: VideoId.parse(videoId), userId: UserId.parse(userId), metaInfo: { ...sampleMetaInfo, title }, stagingRef: 'file:///x' } },
    ]);
    return videoId;
  }

  const metaInfos = async () =>
    Object.fromEntries(
      (await context.knex('video_info').select('video_id', 'meta_info')).map((row: { video_id: string; meta_info: { title: string; fileName: string } }) => [
        row.video_id,
        [row.meta_info.title, row.meta_info.fileName],
      ]),
    );

  function project(): VideoInfoProjection {
    const projection = new VideoInfoProjection({ knex: context.knex, store: context.store, logger: context.logger, retryDelayMs: 50, personalData: vault });
    projections.push(projection);
    projection.start();
    return projection;
  }

  /** Empties the read model and its checkpoint, as a from-scratch replay starts. */
  async function resetReadModel(): Promise<void> {
    await context.knex('video_info').del();
    await context.knex('subscription_checkpoints').where({ name: VIDEO_INFO_PROJECTION }).del();
  }

  it('writes plaintext into meta_info while the key lives, and the same rows as the scrub once the user is forgotten, replay included', async () => {
    const alice = await sealedUpload('alice', 'Holiday');
    const bob = await sealedUpload('bob', 'Birthday');
    const legacy = await legacyUpload('alice', 'Old plain title');
    const projection = project();
    await context.caughtUp();
    expect(await metaInfos()).toEqual({ [alice]: ['Holiday', 'Holiday.mp4'], [bob]: ['Birthday', 'Birthday.mp4'], [legacy]: ['Old plain title', 'holiday.mp4'] });

    const scrubbed = await context.knex.transaction(async (trx) => {
      await vault.destroyKeysOf(trx, 'alice');
      return eraseUserFromReadModel(trx, 'alice');
    });
    expect(scrubbed.sort()).toEqual([alice, legacy].sort());
    const afterScrub = await metaInfos();
    expect(afterScrub).toEqual({ [alice]: [ERASED_TEXT, ERASED_TEXT], [bob]: ['Birthday', 'Birthday.mp4'], [legacy]: [ERASED_TEXT, ERASED_TEXT] });

    await projection.stop();
    await resetReadModel();
    project();
    await context.caughtUp();
    expect(await metaInfos()).toEqual(afterScrub);
  });

  it('scrubs the titles of videos still arriving too, where the command API keeps them', async () => {
    // The shape of the command API's intake_progress (videos whose bytes are still arriving).
    await context.knex.raw('create table intake_progress (video_id uuid primary key, user_id text not null, meta_info jsonb not null, updated_at timestamptz not null default now())');
    const [arriving, bobs] = [randomUUID(), randomUUID()];
    await context.knex('intake_progress').insert([
      { video_id: arriving, user_id: 'alice', meta_info: JSON.stringify({ title: 'Lake', fileName: 'lake.mp4', contentType: 'video/mp4' }) },
      { video_id: bobs, user_id: 'bob', meta_info: JSON.stringify({ title: 'Forty', fileName: 'forty.mp4', contentType: 'video/mp4' }) },
    ]);
    // Scrubbed, but not counted as a video: nothing of it is in the log yet.
    expect(await context.knex.transaction((trx) => eraseUserFromReadModel(trx, 'alice'))).toEqual([]);
    const rows = await context.knex('intake_progress').orderBy('user_id').select('user_id', 'meta_info');
    expect(rows).toEqual([
      { user_id: 'alice', meta_info: { title: ERASED_TEXT, fileName: ERASED_TEXT, contentType: 'video/mp4' } },
      { user_id: 'bob', meta_info: { title: 'Forty', fileName: 'forty.mp4', contentType: 'video/mp4' } },
    ]);
  });

  it('stops a batch with sealed data when no vault was given, rather than store ciphertext', async () => {
    const videoId = await sealedUpload('alice', 'Holiday');
    const events = await readWholeLog(context.store, 4);
    await expect(
      projectBatch({ knex: context.knex, store: context.store }, events, {
        transaction: (work) => inCheckpointedTransaction(context.knex, VIDEO_INFO_PROJECTION, START, events[3]!.position, work),
      }),
    ).rejects.toMatchObject({ name: 'PersonalDataVaultMissing' });
    expect(await context.knex('video_info').where({ video_id: videoId }).first()).toBeUndefined();
  });
});
