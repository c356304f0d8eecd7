import { describe, it, expect, beforeAll, beforeEach, afterEach } from '@jest/globals';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { PROJECT_ROOT } from '@reelay/platform';
import { eventually } from '@reelay/testing';
import { startTestCommandApi } from '../testing';

type Api = Awaited<ReturnType<typeof startTestCommandApi>>;
const SAMPLE = path.join(PROJECT_ROOT, 'system/fixtures/sample.mp4');

describe.each(['file', 's3'] as const)('POST /v1/videos on %s staging', (stagingKind) => {
  let api: Api;
  let video: Buffer;
  let token: string;
  beforeAll(async () => {
    video = await readFile(SAMPLE);
  });
  beforeEach(async () => {
    api = await startTestCommandApi({ stagingKind, progressIntervalMs: 50 });
    token = await api.tokenFor('alice');
  });
  afterEach(async () => {
    await api.dispose();
  });

  it('writes the bytes received so far while the body streams in, and all of them once accepted', async () => {
    const url = new URL(`${api.url}/v1/videos?title=Slow&fileName=slow.mp4`);
    const request = http.request({ host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'video/mp4', 'content-length': video.length } });
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      request.on('response', (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      });
      request.on('error', reject);
    });
    const half = Math.floor(video.length / 2);
    request.write(video.subarray(0, half));

    const partWay = await eventually(async () => {
      const row = await api.knex('intake_progress').first();
      expect(Number(row?.received_bytes)).toBeGreaterThan(0);
      return row;
    });
    expect(Number(partWay.received_bytes)).toBeLessThanOrEqual(half);
    expect({ user: partWay.user_id, total: Number(partWay.total_bytes), title: partWay.meta_info.title }).toEqual({ user: 'alice', total: video.length, title: 'Slow' });
    request.end(video.subarray(half));
    const { status, body } = await answer;

    expect(status).toBe(202);
    const { videoId } = JSON.parse(body) as { videoId: string };
    const row = await api.knex('intake_progress').where({ video_id: videoId }).first();
    expect(Number(row.received_bytes)).toBe(video.length);
    const [event] = await api.store.readStream(`video-${videoId}`);
    const data = event?.data as { stagingRef: string; metaInfo: { sha256: string } };
    expect(data.stagingRef.startsWith(stagingKind === 's3' ? 's3://' : 'file://')).toBe(true);
    expect(data.metaInfo.sha256).toBe(createHash('sha256').update(video).digest('hex'));
    expect(await api.staging.exists(data.stagingRef)).toBe(true);
  });

  it('leaves no progress row and nothing staged for a refused body', async () => {
    const response = await fetch(`${api.url}/v1/videos?title=Text&fileName=a.mp4`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'video/mp4' },
      body: Buffer.alloc(10_000, 'plain text, not a video '),
    });
    expect(response.status).toBe(415);
    expect(await api.knex('intake_progress').select()).toEqual([]);
    expect(await api.everythingStaged()).toEqual([]);
    expect(await api.allEvents()).toEqual([]);
  });
});
