import { describe, it, expect, beforeAll, afterAll, beforeEach, afterEach } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createPool, ensureDatabase } from '@reelay/platform';
import { PostgresEventStore } from '@reelay/event-store';
import { eventually, startPrivatePostgres, startTcpProxy, syntheticVideo, type PrivatePostgres, type TcpProxy } from '@reelay/testing';
import { startTestCommandApi } from '../testing';

type Api = Awaited<ReturnType<typeof startTestCommandApi>>;

const b64 = (text: string) => Buffer.from(text).toString('base64');
const METADATA = `title ${b64('Ferry')},filename ${b64('ferry.mp4')},filetype ${b64('video/mp4')}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Nothing listens there: a connection through the proxy is accepted, then closed, as HAProxy does with no primary. */
const NOWHERE = 1;

/**
 * A Postgres failover as a command API sees it through the balancer: every session cut (HAProxy's
 * `shutdown-sessions`), new connections accepted and closed while there is no primary, then a
 * server that holds none of the old sessions' advisory locks. A private Postgres restarted behind
 * a TCP proxy stands for the pair behind HAProxy (the data survives, as a promoted replica has it).
 */
describe('tus uploads across a Postgres failover', () => {
  let server: PrivatePostgres;
  let proxy: TcpProxy;
  let stagingDir: string;
  let api: Api;
  beforeAll(async () => {
    server = await startPrivatePostgres();
    const url = server.url('reelay');
    await ensureDatabase(url);
    const pool = createPool(url, { max: 1 });
    const store = new PostgresEventStore(pool);
    await store.migrate();
    await store.close();
    await pool.end();
  }, 120_000);
  afterAll(async () => {
    await server?.dispose();
  });
  beforeEach(async () => {
    proxy = await startTcpProxy('127.0.0.1', server.port);
    stagingDir = await mkdtemp(path.join(os.tmpdir(), 'reelay-failover-staging-'));
    api = await startTestCommandApi({ shareWith: { databaseUrl: `postgres://postgres@127.0.0.1:${proxy.port}/reelay`, stagingDir } });
  });
  afterEach(async () => {
    await api.dispose();
    await proxy.close();
    await server.start();
    await rm(stagingDir, { recursive: true, force: true });
  });

  /** The primary goes; the balancer cuts its sessions and has nowhere to send new ones until `promote()`. */
  async function loseThePrimary(): Promise<{ promote: () => Promise<number> }> {
    proxy.retarget('127.0.0.1', NOWHERE);
    proxy.dropConnections();
    await server.stop('immediate');
    return {
      promote: async () => {
        await server.start();
        proxy.retarget('127.0.0.1', server.port);
        return Date.now();
      },
    };
  }

  const readyz = async () => {
    const response = await fetch(`${api.url}/readyz`);
    return { status: response.status, body: await response.text() };
  };

  it('answers HEAD and the rest of an upload begun before the failover within seconds of the new primary', async () => {
    const video = syntheticVideo(1024 * 1024);
    const half = 512 * 1024;
    const auth = { authorization: `Bearer ${await api.tokenFor('alice')}`, 'tus-resumable': '1.0.0' };
    const created = await fetch(`${api.url}/v1/uploads`, { method: 'POST', headers: { ...auth, 'upload-length': String(video.length), 'upload-metadata': METADATA } });
    expect(created.status).toBe(201);
    const uploadUrl = `${api.url}${created.headers.get('location')}`;
    const patched = await fetch(uploadUrl, { method: 'PATCH', headers: { ...auth, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }, body: video.subarray(0, half) });
    expect(patched.status).toBe(204);

    const primary = await loseThePrimary();
    await sleep(2000);
    const promotedAt = await primary.promote();

    const head = await eventually(async () => {
      const response = await fetch(uploadUrl, { method: 'HEAD', headers: auth, signal: AbortSignal.timeout(5_000) });
      expect(response.status).toBe(200);
      return response;
    }, 15_000);
    const headAfterMs = Date.now() - promotedAt;
    // The rest goes once every pool has given up its dead connections (a phone retries a 503).
    const rest = await eventually(async () => {
      const response = await fetch(uploadUrl, { method: 'PATCH', headers: { ...auth, 'upload-offset': String(half), 'content-type': 'application/offset+octet-stream' }, body: video.subarray(half) });
      expect(response.status).toBe(204);
      return response;
    }, 15_000);

    expect(head.headers.get('upload-offset')).toBe(String(half));
    expect(headAfterMs).toBeLessThan(10_000);
    expect(rest.headers.get('upload-offset')).toBe(String(video.length));
    expect(await api.allEvents()).toEqual(['UploadRequested']);
  });

  it('is not ready while its tus lock connection cannot reach Postgres, and ready again once it can', async () => {
    expect(await readyz()).toMatchObject({ status: 200 });

    const primary = await loseThePrimary();
    const down = await eventually(async () => {
      const answer = await readyz();
      expect(answer.body).toContain('tus-locks');
      return answer;
    }, 10_000);
    await primary.promote();

    expect(down.status).toBe(503);
    await eventually(async () => expect(await readyz()).toMatchObject({ status: 200 }), 15_000);
  });
});
