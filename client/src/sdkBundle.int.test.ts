import { describe, it, expect } from '@jest/globals';
import path from 'node:path';
import { build } from 'esbuild';

/**
 * The SDK as an app's bundler sees it (browser or React Native conditions): what ends up inside.
 * The type imports from the contracts must vanish, so no zod and no Node built-in is shipped; of
 * the contracts only the timing entry (backoff and sleep, no zod under it) may be inside.
 */
describe('the SDK bundled for a browser or a phone', () => {
  it("contains tus-js-client, the SDK and the contracts' timing, but neither zod nor the rest of the contracts nor any Node built-in", async () => {
    const result = await build({
      entryPoints: [path.join(__dirname, 'index.ts')],
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'esm',
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((file) => file.includes('node_modules/tus-js-client/'))).toBe(true);
    expect(inputs.filter((file) => /node_modules\/zod\/|contracts\/src\/(?!timing\/)/.test(file))).toEqual([]);
    expect(inputs.filter((file) => file.includes('contracts/src/timing/')).sort()).toEqual(
      ['contracts/src/timing/abortableSleep.ts', 'contracts/src/timing/backoff.ts', 'contracts/src/timing/index.ts'],
    );
    // Any `node:` or bare built-in import left would have failed the browser build or shown here.
    const imports = Object.values(result.metafile.inputs).flatMap((input) => input.imports.map((i) => i.path));
    expect(imports.filter((p) => /^(node:)?(fs|path|crypto|http|https|stream|buffer|net)$/.test(p))).toEqual([]);
    expect(result.outputFiles[0]?.text.length).toBeGreaterThan(10_000);
  });
});
