import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import type { VideoId } from '@reelay/contracts';
import { startSecurityHarness, type SecurityHarness } from './securityHarness';

/**
 * Users whose ids an identity provider could issue, some of them deliberately close to each
 * other: case, a look-alike Cyrillic letter, provider prefixes, a space.
 */
const USERS = ['alice', 'ALICE', 'alic\u0435', 'bob', 'auth0|5f3c9a', 'carol smith'];

describe('isolation between users, on both APIs', () => {
  let h: SecurityHarness;
  const videos = new Map<string, VideoId[]>();

  beforeAll(async () => {
    h = await startSecurityHarness();
    for (const user of USERS) {
      const ids = [await h.upload(user), await h.upload(user)];
      for (const id of ids) await h.projected(id);
      videos.set(user, ids);
    }
  }, 120_000);
  afterAll(async () => {
    await h?.dispose();
  });

  const othersOf = (user: string) => USERS.filter((other) => other !== user).flatMap((other) => videos.get(other) ?? []);

  it('shows every user their own videos and only those', async () => {
    for (const user of USERS) {
      const headers = await h.bearer(user);
      const list = (await (await fetch(`${h.queryUrl}/v1/users/me/videos`, { headers })).json()) as { userId: string; videos: { videoId: string }[] };
      expect(list.userId).toBe(user);
      expect(list.videos.map((v) => v.videoId).sort()).toEqual([...(videos.get(user) ?? [])].sort());
      const byId = await fetch(`${h.queryUrl}/v1/users/${encodeURIComponent(user)}/videos`, { headers });
      expect(byId.status).toBe(200);
      for (const videoId of videos.get(user) ?? []) {
        const own = await fetch(`${h.queryUrl}/v1/videos/${videoId}`, { headers });
        expect(own.status).toBe(200);
        expect(((await own.json()) as { userId: string }).userId).toBe(user);
      }
    }
  });

  it("answers 404 to every user for every other user's video, on every read and every command", async () => {
    const eventsBefore = await h.eventCount();
    const attempts: Array<Promise<[string, number]>> = [];
    for (const user of USERS) {
      const headers = await h.bearer(user);
      for (const videoId of othersOf(user)) {
        const tries: Array<[string, string, RequestInit]> = [
          ['GET', `${h.queryUrl}/v1/videos/${videoId}`, { headers }],
          ['GET (long-poll)', `${h.queryUrl}/v1/videos/${videoId}?waitSeconds=5`, { headers: { ...headers, 'if-none-match': '*' } }],
          ['DELETE', `${h.commandUrl}/v1/videos/${videoId}`, { method: 'DELETE', headers }],
          ['retry', `${h.commandUrl}/v1/videos/${videoId}/retry`, { method: 'POST', headers }],
        ];
        for (const [what, url, init] of tries) {
          attempts.push(fetch(url, init).then((response) => [`${user} ${what} ${videoId}`, response.status]));
        }
      }
      for (const other of USERS.filter((o) => o !== user)) {
        attempts.push(fetch(`${h.queryUrl}/v1/users/${encodeURIComponent(other)}/videos`, { headers }).then((r) => [`${user} lists ${other}`, r.status]));
      }
    }
    const started = Date.now();
    const outcomes = await Promise.all(attempts);

    expect(outcomes.filter(([, status]) => status !== 404)).toEqual([]);
    expect(outcomes.length).toBe(USERS.length * (USERS.length - 1) * (2 * 4 + 1));
    // A long-poll on someone else's video is refused at once, never held.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await h.eventCount()).toBe(eventsBefore);
  });

  it("gives another user's Idempotency-Key its own video, never the first user's", async () => {
    const first = await h.upload('alice', { 'idempotency-key': 'shared-key-1' });
    const second = await h.upload('bob', { 'idempotency-key': 'shared-key-1' });
    expect(second).not.toBe(first);
    const bobsView = await fetch(`${h.queryUrl}/v1/videos/${first}`, { headers: await h.bearer('bob') });
    expect(bobsView.status).toBe(404);
  });
});
