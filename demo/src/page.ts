import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { build, stop } from 'esbuild';
import { PROJECT_ROOT } from '@reelay/platform/core';

/** The demo page: its HTML, and its script bundled with the SDK for browsers. */
export interface DemoPage {
  readonly html: string;
  readonly script: string;
  /** The same upload through Uppy (`/demo/uppy`), a tus client we did not write. */
  readonly uppy: { readonly html: string; readonly script: string };
}

// From the project root, not from this file: compiled, this code runs from the demo's bundle.
const PAGE_DIR = path.join(PROJECT_ROOT, 'demo/page');

/**
 * Bundles the page's script (and with it `@reelay/client` and tus-js-client's browser build), and
 * the Uppy page's (with `@uppy/core` and `@uppy/tus`), in memory when the server starts: well under
 * a second, and no build step for `npm start`.
 */
export async function buildDemoPage(): Promise<DemoPage> {
  const [html, script, uppyHtml, uppyScript] = await Promise.all([
    readFile(path.join(PAGE_DIR, 'index.html'), 'utf8'),
    bundle('demo.ts'),
    readFile(path.join(PAGE_DIR, 'uppy.html'), 'utf8'),
    bundle('uppy.ts'),
  ]);
  // esbuild keeps a service process of its own (~10 MiB) alive for the next build; there is none.
  await stop();
  return { html, script, uppy: { html: uppyHtml, script: uppyScript } };
}

async function bundle(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [path.join(PAGE_DIR, entry)],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'iife',
    target: 'es2020',
    logLevel: 'silent',
  });
  const script = result.outputFiles[0]?.text;
  if (!script) throw new Error(`esbuild produced no script for ${entry}`);
  return script;
}
