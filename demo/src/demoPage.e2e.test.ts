import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { PROJECT_ROOT } from '@reelay/platform';
import { uniqueName } from '@reelay/testing';
import { startTestSystem, type TestSystem } from '@reelay/system/testing';

const CHROMIUM = '/usr/bin/chromium';
const SAMPLE = path.join(PROJECT_ROOT, 'system/fixtures/sample.mp4');
/** Where the screenshot is left for a person to look at. */
const SCREENSHOT = path.join(os.tmpdir(), 'reelay-demo.png');
const VIEWPORT = { width: 1280, height: 900 };
// The machine's closed network refuses Chromium's background connections; keep it from trying.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  process.stderr.write(`SKIPPED: the demo page's browser test needs Debian's chromium at ${CHROMIUM} (apt-get install chromium); .ci/run installs it\n`);
}
const describeInBrowser = haveChromium ? describe : describe.skip;

/** Share of the pixels in `box` of a PNG screenshot within `tolerance` of `rgb`, measured by the browser's own decoder. */
async function shareOfColour(page: Page, png: Buffer, box: { x: number; y: number; width: number; height: number }, rgb: [number, number, number], tolerance = 24): Promise<number> {
  return page.evaluate(
    async ({ base64, box, rgb, tolerance }) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const context = canvas.getContext('2d') as OffscreenCanvasRenderingContext2D;
      context.drawImage(bitmap, 0, 0);
      const { data } = context.getImageData(Math.round(box.x), Math.round(box.y), Math.round(box.width), Math.round(box.height));
      let matching = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (Math.abs(data[i]! - rgb[0]) <= tolerance && Math.abs(data[i + 1]! - rgb[1]) <= tolerance && Math.abs(data[i + 2]! - rgb[2]) <= tolerance) matching += 1;
      }
      return matching / (data.length / 4);
    },
    { base64: png.toString('base64'), box, rgb, tolerance },
  );
}

describeInBrowser('the demo page of npm start, in headless Chromium', () => {
  let sut: TestSystem;
  let browser: BrowserContext;
  let profile: string;

  beforeAll(async () => {
    // As a bare `npm start`: the development secret (so signing in by name is offered), pushes to the log.
    sut = await startTestSystem();
    profile = await mkdtemp(path.join(os.tmpdir(), 'reelay-chromium-'));
    browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: VIEWPORT });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
    expect(await sut?.dispose()).toBe(0);
  }, 60_000);

  it('signs in by name, uploads a video with a progress bar, shows it UPLOADED and the push notification', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${sut.system.demo}/demo`);

    const user = uniqueName('alice');
    await page.fill('#signin-user', user);
    await page.click('#signin-button');
    await page.locator('#upload').waitFor({ state: 'visible' });
    await expectText(page, '#whoami', `signed in as ${user}`);

    await page.setInputFiles('#file', SAMPLE);
    await page.fill('#title', 'Holiday in the hills');
    await page.click('#upload-button');

    const row = page.locator('#videos tr[data-status="UPLOADED"]');
    await row.waitFor({ state: 'visible', timeout: 90_000 });
    expect(await row.textContent()).toContain('Holiday in the hills');
    const notification = page.locator('.notification');
    await notification.waitFor({ state: 'visible', timeout: 30_000 });
    expect(await notification.textContent()).toMatch(/Your video is ready.*"Holiday in the hills" has been uploaded.*push sent via log/);
    await expectText(page, '#send-text', '100%');
    await expectText(page, '#store-text', '100%');
    // The fills ease to their width over a CSS transition; the text says 100% before the paint does.
    await expectBarFull(page, 'send');
    await expectBarFull(page, 'store');

    const png = await page.screenshot({ path: SCREENSHOT });
    expect(png.readUInt32BE(16)).toBe(VIEWPORT.width);
    expect(png.readUInt32BE(20)).toBe(VIEWPORT.height);
    const storeBar = await page.locator('#store-bar').boundingBox();
    const sendBar = await page.locator('#send-bar').boundingBox();
    const toast = await notification.first().boundingBox();
    for (const box of [storeBar, sendBar, toast]) {
      expect(box?.width).toBeGreaterThan(100);
      expect(box?.height).toBeGreaterThan(10);
    }
    // The bars are full (their fill colours cover them) and the notification is on screen in its colour.
    expect(await shareOfColour(page, png, storeBar!, [0x2e, 0x9e, 0x44])).toBeGreaterThan(0.9);
    expect(await shareOfColour(page, png, sendBar!, [0x1e, 0x6f, 0xd9])).toBeGreaterThan(0.9);
    expect(await shareOfColour(page, png, toast!, [0xff, 0xd5, 0x4a])).toBeGreaterThan(0.5);
    expect(errors).toEqual([]);
  });
});

async function expectBarFull(page: Page, leg: 'send' | 'store'): Promise<void> {
  await page.waitForFunction(
    (leg) => {
      const bar = document.getElementById(`${leg}-bar`)?.getBoundingClientRect();
      const fill = document.getElementById(`${leg}-fill`)?.getBoundingClientRect();
      return bar !== undefined && fill !== undefined && bar.width > 0 && fill.width >= bar.width - 1;
    },
    leg,
    { timeout: 10_000 },
  );
}

async function expectText(page: Page, selector: string, text: string): Promise<void> {
  await page.waitForFunction(
    ({ selector, text }) => document.querySelector(selector)?.textContent?.includes(text) === true,
    { selector, text },
    { timeout: 30_000 },
  );
}
