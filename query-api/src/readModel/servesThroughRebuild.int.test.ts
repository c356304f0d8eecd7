import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { newEvent, videoStreamName, type VideoEvent, type VideoList, type VideoView } from '@reelay/contracts';
import { createKnex, createLogger, loadConfig, migrateIntakeProgress, type HttpApp } from '@reelay/platform';
import { signToken } from '@reelay/platform/auth';
import type { EventStore } from '@reelay/event-store';
import { createTestEventStore, eventually } from '@reelay/testing';
import { VideoInfoProjection, migrateReadModel, readProjectionVersions, rebuildVideoInfo } from '@reelay/projector';
import { buildQueryApp } from '../app';
import { videoEvents } from '../testing/videoEvents';

/**
 * The query API over real HTTP while `video_info` is rebuilt under it, with the projector
 * running and events still being appended: no request may fail, and no answer may show a
 * partial list or an older state of a video than one already shown.
 */
describe('the query API during a rebuild of video_info', () => {
  let eventStore: Awaited<ReturnType<typeof createTestEventStore>>;
  let knex: Knex;
  let projection: VideoInfoProjection;
  let app: HttpApp;
  let baseUrl: string;
  const logger = createLogger('rebuild-test', 'silent');

  beforeEach(async () => {
    eventStore = await createTestEventStore();
    knex = createKnex(eventStore.url, { max: 8 });
    await migrateReadModel(knex);
    // The query API also reads bytes still arriving (two-leg progress).
    await migrateIntakeProgress(knex);
    projection = new VideoInfoProjection({ knex, store: eventStore.store, logger, retryDelayMs: 50, batchSize: 20 });
    projection.start();
    // A limit no reader here can reach: this test is about the read model, not the rate limiter.
    const config = loadConfig({ DATABASE_URL: eventStore.url, RATE_LIMIT_MAX: '1000000' });
    app = buildQueryApp({ config, logger, knex });
    baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  });

  afterEach(async () => {
    await app.close();
    await projection.stop();
    await knex.destroy();
    await eventStore.dispose();
  });

  async function append(store: EventStore, videoId: string, events: readonly VideoEvent[], afterRevision = -1): Promise<void> {
    const metadata = { correlationId: randomUUID(), causationId: randomUUID(), userId: 'test' };
    await store.appendToStream(
      videoStreamName(videoId),
      events.map((event) => newEvent(event, metadata)),
      { expectedRevision: afterRevision < 0 ? 'no_stream' : afterRevision },
    );
  }

  const tokens = new Map<string, string>();
  async function get(path: string, as: string): Promise<{ status: number; body: unknown; etag: string | null }> {
    if (!tokens.has(as)) tokens.set(as, await signToken(as));
    const response = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${tokens.get(as)}` } });
    return { status: response.status, body: await response.json(), etag: response.headers.get('etag') };
  }

  it('answers every request, with the same answers for settled videos and never a step back for changing ones', async () => {
    // Alice's videos settle before the rebuild: every answer about them must stay exactly the same.
    const alice = Array.from({ length: 40 }, () => randomUUID());
    for (const [i, id] of alice.entries()) {
      const events = [videoEvents.requested(id, 'alice', `Video ${i}`), videoEvents.started(), videoEvents.progress(30)];
      await append(eventStore.store, id, i % 3 === 0 ? events : [...events, i % 2 ? videoEvents.completed() : videoEvents.failed('disk full')]);
    }
    // More history for the replay to chew through, from other users.
    for (let i = 0; i < 150; i += 1) {
      const id = randomUUID();
      await append(eventStore.store, id, [videoEvents.requested(id, `user-${i % 7}`), videoEvents.started(), videoEvents.progress(50), videoEvents.completed()]);
    }
    await eventually(async () => expect((await get('/v1/users/me/videos?limit=100', 'alice')).body).toMatchObject({ videos: expect.any(Array) }));
    await eventually(async () => expect(((await get('/v1/users/me/videos?limit=100', 'alice')).body as VideoList).videos).toHaveLength(40));
    await eventually(async () => expect(((await get('/v1/users/me/videos?limit=100', 'user-6')).body as VideoList).videos).toHaveLength(21));
    const aliceList = await get('/v1/users/me/videos?limit=100', 'alice');
    const aliceVideos = new Map(await Promise.all(alice.map(async (id) => [id, await get(`/v1/videos/${id}`, 'alice')] as const)));

    // Bob's users keep uploading through the rebuild: videos appear and move forward, never back.
    const BOBS = ['bob-0', 'bob-1', 'bob-2', 'bob-3', 'bob-4', 'bob-5'];
    const bob: Array<{ id: string; revision: number }> = [];
    let appending = true;
    const appender = (async () => {
      while (appending) {
        const id = randomUUID();
        await append(eventStore.store, id, [videoEvents.requested(id, BOBS[bob.length % BOBS.length]!)]);
        bob.push({ id, revision: 0 });
        for (const video of bob.filter((v) => v.revision < 6).slice(-3)) {
          const next = video.revision === 0 ? videoEvents.started() : videoEvents.progress(video.revision * 20);
          await append(eventStore.store, video.id, [next], video.revision);
          video.revision += 1;
        }
        // A steady trickle rather than a flood: the lists must stay within one page of 100.
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();

    const problems: string[] = [];
    let requests = 0;
    let reading = true;
    const aliceReader = async (worker: number) => {
      for (let i = worker; reading; i += 1) {
        const id = alice[i % alice.length]!;
        const [one, list] = await Promise.all([get(`/v1/videos/${id}`, 'alice'), get('/v1/users/me/videos?limit=100', 'alice')]);
        requests += 2;
        const expected = aliceVideos.get(id)!;
        if (one.status !== 200 || JSON.stringify(one.body) !== JSON.stringify(expected.body) || one.etag !== expected.etag) {
          problems.push(`GET /v1/videos/${id}: ${one.status} ${JSON.stringify(one.body)}`);
        }
        if (list.status !== 200 || JSON.stringify(list.body) !== JSON.stringify(aliceList.body)) {
          problems.push(`alice's list: ${list.status}, ${(list.body as VideoList).videos?.length} videos`);
        }
      }
    };
    const bobReader = async () => {
      // What this reader saw: its own requests are sequential, so each answer must be at least as
      // new as its last one. (Two readers' answers can cross in flight; they are not compared.)
      const bobSeen = new Map<string, number>();
      const bobListed = new Map<string, number>();
      for (let i = 0; reading; i += 1) {
        const user = BOBS[i % BOBS.length]!;
        const list = await get('/v1/users/me/videos?limit=100', user);
        requests += 1;
        if (list.status !== 200) {
          problems.push(`${user}'s list: ${list.status}`);
          continue;
        }
        const videos = (list.body as VideoList).videos;
        // Everything a list showed before must still be there (no partial list).
        const before = bobListed.get(user) ?? 0;
        if (videos.length < before) problems.push(`${user}'s list shrank from ${before} to ${videos.length}`);
        if (videos.length >= 100) problems.push(`${user} has a page full of videos; the test needs a slower trickle`);
        bobListed.set(user, Math.max(before, videos.length));
        for (const video of videos) {
          const step = (video as VideoView).status === 'PENDING' ? 0 : 1 + (video as VideoView).uploadedPercentage;
          if (step < (bobSeen.get(video.videoId) ?? -1)) problems.push(`${video.videoId} went back to ${video.status} ${video.uploadedPercentage}%`);
          bobSeen.set(video.videoId, step);
        }
      }
    };
    const readers = [aliceReader(0), aliceReader(13), aliceReader(27), bobReader(), bobReader()];

    // The readers must really read across each switch: some answers before it, some after.
    const moreRequests = async () => {
      const from = requests;
      await eventually(() => expect(requests).toBeGreaterThanOrEqual(from + 10), 30_000);
    };
    try {
      const first = await rebuildVideoInfo({ knex, store: eventStore.store, pageSize: 40, beforeSwitch: moreRequests });
      await moreRequests();
      const second = await rebuildVideoInfo({ knex, store: eventStore.store, pageSize: 40, beforeSwitch: moreRequests });
      await moreRequests();
      expect([first.toVersion, second.toVersion]).toEqual([2, 3]);
    } finally {
      appending = false;
      await appender;
      reading = false;
      await Promise.all(readers);
    }

    expect(problems).toEqual([]);
    expect(await readProjectionVersions(knex, 'video_info')).toMatchObject({ activeVersion: 3, buildingVersion: null });
    // After the rebuilds the projector carries on into version 3: bob's last video shows up, complete.
    await eventually(async () => {
      const lists = await Promise.all(BOBS.map(async (user) => ((await get('/v1/users/me/videos?limit=100', user)).body as VideoList).videos));
      expect(lists.flat().map((video) => video.videoId).sort()).toEqual(bob.map((video) => video.id).sort());
    });
    expect(bob.length).toBeGreaterThan(5);
    expect((await get('/v1/users/me/videos?limit=100', 'alice')).body).toEqual(aliceList.body);
  });
});
