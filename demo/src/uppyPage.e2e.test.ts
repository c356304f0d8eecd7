import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { chromium, type BrowserContext } from 'playwright-core';
import { PROJECT_ROOT } from '@reelay/platform';
import { createTestS3Client, uniqueName } from '@reelay/testing';
import { startTestSystem, type TestSystem } from '@reelay/system/testing';

const CHROMIUM = '/usr/bin/chromium';
const SAMPLE = path.join(PROJECT_ROOT, 'system/fixtures/sample.mp4');
// The machine's closed network refuses Chromium's background connections; keep it from trying.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  process.stderr.write(`SKIPPED: the Uppy page's browser test needs Debian's chromium at ${CHROMIUM} (apt-get install chromium); .ci/run installs it\n`);
}
const describeInBrowser = haveChromium ? describe : describe.skip;

describeInBrowser('the Uppy page (/demo/uppy): @uppy/core + @uppy/tus in headless Chromium', () => {
  let sut: TestSystem;
  let browser: BrowserContext;
  let profile: string;
  const s3 = createTestS3Client();

  beforeAll(async () => {
    // As a bare `npm start`: the development secret, so signing in by name is offered.
    sut = await startTestSystem();
    profile = await mkdtemp(path.join(os.tmpdir(), 'reelay-chromium-uppy-'));
    browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
    s3.destroy();
    expect(await sut?.dispose()).toBe(0);
  }, 60_000);

  it('uploads a video through Uppy over tus and sees it UPLOADED, stored byte for byte', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const tusRequests: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname.startsWith('/v1/uploads')) tusRequests.push(request.method());
    });
    await page.goto(`${sut.system.demo}/demo/uppy`);

    await page.fill('#signin-user', uniqueName('uppy'));
    await page.click('#signin-button');
    await page.locator('#upload').waitFor({ state: 'visible' });
    await page.setInputFiles('#file', SAMPLE);
    await page.fill('#title', 'Uppy in the hills');
    await page.click('#upload-button');

    await page.locator('#status[data-status="UPLOADED"]').waitFor({ state: 'attached', timeout: 90_000 }).catch(async (error: unknown) => {
      // What the page showed instead: how far Uppy got, and what it said.
      const shown = await page.evaluate(() => ['sent', 'video-id', 'status', 'upload-error'].map((id) => `${id}: ${document.getElementById(id)?.textContent}`).join(', '));
      throw new Error(`${String(error)}; the page shows ${shown}; tus requests ${tusRequests.join(' ')}`);
    });
    expect(await page.textContent('#sent')).toBe('100%');
    const videoId = (await page.textContent('#video-id')) ?? '';
    expect(videoId).toMatch(/^[0-9a-f-]{36}$/);
    // Uppy created the upload with tus and sent its bytes with PATCH (not the SDK's POST /v1/videos).
    expect(tusRequests[0]).toBe('POST');
    expect(tusRequests.filter((method) => method === 'PATCH').length).toBeGreaterThan(0);
    const token = await sut.tokenFor((await page.textContent('#whoami'))?.replace('signed in as ', '') ?? '');
    const video = (await (await fetch(`${sut.system.queryApi}/v1/videos/${videoId}`, { headers: { authorization: `Bearer ${token}` } })).json()) as { metaInfo: { title: string; fileName: string } };
    expect(video.metaInfo).toMatchObject({ title: 'Uppy in the hills', fileName: 'sample.mp4' });
    const object = await s3.send(new GetObjectCommand({ Bucket: sut.bucket, Key: `videos/${videoId}` }));
    expect(sha256(await object.Body!.transformToByteArray())).toBe(sha256(await readFile(SAMPLE)));
    expect(errors).toEqual([]);
  }, 150_000);
});
