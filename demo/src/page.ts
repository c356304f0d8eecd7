import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { build, stop } from 'esbuild';

/** The demo page: its HTML, and its script bundled with the SDK for browsers. */
export interface DemoPage {
  readonly html: string;
  readonly script: string;
}

const PAGE_DIR = path.join(__dirname, '../page');

/**
 * Bundles the page's script (and with it `@reelay/client` and tus-js-client's browser build) in
 * memory when the server starts: about a quarter of a second, and no build step for `npm start`.
 */
export async function buildDemoPage(): Promise<DemoPage> {
  const [html, bundle] = await Promise.all([
    readFile(path.join(PAGE_DIR, 'index.html'), 'utf8'),
    build({
      entryPoints: [path.join(PAGE_DIR, 'demo.ts')],
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'iife',
      target: 'es2020',
      logLevel: 'silent',
    }),
  ]);
  // esbuild keeps a service process of its own (~10 MiB) alive for the next build; there is none.
  await stop();
  const script = bundle.outputFiles[0]?.text;
  if (!script) throw new Error('esbuild produced no demo script');
  return { html, script };
}
