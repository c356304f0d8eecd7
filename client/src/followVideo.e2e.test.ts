import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PROJECT_ROOT } from '@reelay/platform';
import { eventually, startTcpProxy, type TcpProxy } from '@reelay/testing';
import { startTestSystem, type TestSystem } from '@reelay/system/testing';
import { ReelayClient, ReelayHttpError, pushedStatusOf, type VideoView } from './index';

const SAMPLE = path.join(PROJECT_ROOT, 'system/fixtures/sample.mp4');
const SECRET = 'client-e2e-secret-long-enough-for-hs256-0123456789';

describe('the SDK following a video on the running system', () => {
  let sut: TestSystem;
  let video: Buffer;

  beforeAll(async () => {
    // S3 slowed to ~1 MB/s: the 2.6 MB sample is LOADING for a few seconds.
    sut = await startTestSystem({ oneSignal: true, s3BytesPerSecond: 1_000_000, secret: SECRET });
    video = await readFile(SAMPLE);
  }, 180_000);

  afterAll(async () => {
    expect(await sut?.dispose()).toBe(0);
  }, 60_000);

  async function clientFor(userId: string, queryApiUrl = sut.system.queryApi): Promise<{ client: ReelayClient; requests: () => number }> {
    let requests = 0;
    const token = await sut.tokenFor(userId);
    const countingFetch: typeof fetch = (input, init) => {
      requests += 1;
      return fetch(input, init);
    };
    return { client: new ReelayClient({ commandApiUrl: sut.system.commandApi, queryApiUrl, token, fetch: countingFetch }), requests: () => requests };
  }

  async function postSample(userId: string, title: string, body: Buffer = video): Promise<string> {
    const response = await fetch(`${sut.system.commandApi}/v1/videos?title=${encodeURIComponent(title)}&fileName=sample.mp4`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await sut.tokenFor(userId)}`, 'content-type': 'video/mp4' },
      body,
    });
    expect(response.status).toBe(202);
    return ((await response.json()) as { videoId: string }).videoId;
  }

  it('follows a video to UPLOADED with long-polls that each bring a new version, then stops by itself', async () => {
    const { client } = await clientFor('alice');
    const videoId = await postSample('alice', 'Followed');
    const seen: VideoView[] = [];
    const follower = client.followVideo(videoId, { onUpdate: (v) => seen.push(v) });

    const result = await follower.done;
    expect(result.reason).toBe('terminal');
    expect(result.video?.status).toBe('UPLOADED');
    expect(result.video?.uploadedPercentage).toBe(100);
    const statuses = seen.map((v) => v.status).filter((s, i, all) => all[i - 1] !== s);
    expect(statuses[statuses.length - 1]).toBe('UPLOADED');
    expect(statuses).toContain('LOADING');
    // Progress only ever grows, and no version is reported twice.
    const percentages = seen.map((v) => v.uploadedPercentage);
    expect(percentages).toEqual([...percentages].sort((a, b) => a - b));
    expect(new Set(seen.map((v) => JSON.stringify(v))).size).toBe(seen.length);
    // Every answer but the 304s of a quiet wait carried news: at most a few more requests than updates (404s of the projector's lag).
    expect(follower.requests).toBeLessThanOrEqual(seen.length + 5);

    // The push the notifier sent for it is one the SDK understands.
    await sut.oneSignal?.waitForRequests(1, 20_000);
    const pushes = (sut.oneSignal?.requests ?? []).map((r) => pushedStatusOf((r.body as { data?: unknown }).data));
    expect(pushes).toContainEqual({ videoId, status: 'UPLOADED' });
    expect(client.handlePush({ data: { videoId, status: 'UPLOADED' } })).toBe(false); // nobody follows it any more

    expect((await client.listVideos()).videos.map((v) => v.videoId)).toContain(videoId);
    expect((await client.getVideo(videoId)).status).toBe('UPLOADED');
  });

  it('stops following when the app hands it the push for the video, after one last read', async () => {
    const { client, requests } = await clientFor('bob');
    // 10 MB at ~1 MB/s: still storing when the push is handed over, however slow the machine.
    const videoId = await postSample('bob', 'Pushed', Buffer.concat([video, Buffer.alloc(10_000_000 - video.length)]));
    const seen: VideoView[] = [];
    const follower = client.followVideo(videoId, { onUpdate: (v) => seen.push(v) });
    await eventually(() => expect(seen.length).toBeGreaterThan(0), 15_000);

    // A push payload as the app gets it from its push SDK, while the upload is still going.
    expect(client.handlePush({ additionalData: { videoId, status: 'UPLOADED' } })).toBe(true);
    const result = await follower.done;
    expect(result.reason).toBe('push');
    expect(result.video?.status).not.toBe('UPLOADED'); // the last read shows where it really is
    const after = requests();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(requests()).toBe(after);
  });

  it('keeps following through cut connections, backing off and resuming where it was', async () => {
    const target = new URL(sut.system.queryApi);
    const proxy: TcpProxy = await startTcpProxy(target.hostname, Number(target.port));
    try {
      const { client } = await clientFor('carol', `http://${proxy.host}:${proxy.port}`);
      const videoId = await postSample('carol', 'Flaky');
      const seen: VideoView[] = [];
      const follower = client.followVideo(videoId, { onUpdate: (v) => seen.push(v), backoff: { initialMs: 50, maxMs: 500 } });
      await eventually(() => expect(seen.length).toBeGreaterThan(0), 15_000);
      // Cut every open connection (a held long-poll among them) a few times while it uploads.
      for (let i = 0; i < 3; i += 1) {
        proxy.dropConnections();
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      const result = await follower.done;
      expect(result.reason).toBe('terminal');
      expect(result.video?.status).toBe('UPLOADED');
    } finally {
      await proxy.close();
    }
  });

  it('ends with the 401 problem when the token is refused, instead of retrying forever', async () => {
    const client = new ReelayClient({ commandApiUrl: sut.system.commandApi, queryApiUrl: sut.system.queryApi, token: 'not-a-token' });
    const error = await client.followVideo('5b1c2d7e-0000-4000-8000-000000000001').done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReelayHttpError);
    expect((error as ReelayHttpError).status).toBe(401);
    expect((error as ReelayHttpError).problem?.detail).toBeTruthy();
  });

  it("ends with 404 for a video that never appears, once the projector's grace is over", async () => {
    const { client } = await clientFor('dave');
    const follower = client.followVideo('5b1c2d7e-0000-4000-8000-0000000000ff', { notFoundGraceMs: 300, backoff: { initialMs: 20, maxMs: 100 } });
    const error = await follower.done.catch((e: unknown) => e);
    expect((error as ReelayHttpError).status).toBe(404);
    expect(follower.requests).toBeGreaterThan(1);
  });
});
