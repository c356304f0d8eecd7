import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';
import { PROJECT_ROOT } from '@reelay/platform';
import { lazyZodLocales, onlyPostgresDialect } from './bundleServices';

/**
 * The two rewrites the services' bundles get, on a small program bundled with them and run by
 * node: what they leave out is really out of the bundle, and still there when asked for.
 */
describe('bundling a service', () => {
  let dir: string;
  let inputs: string[];
  const run = (...args: string[]) => spawnSync(process.execPath, [path.join(dir, 'out.js'), ...args], { cwd: dir, encoding: 'utf8' });

  beforeAll(async () => {
    // Inside the project, so that the bundle and what it leaves out resolve from its node_modules.
    dir = await mkdtemp(path.join(PROJECT_ROOT, 'system', '.bundle-test-'));
    await writeFile(
      path.join(dir, 'entry.js'),
      `const { z } = require('zod');
const knex = require('knex');
const [what] = process.argv.slice(2);
if (what === 'zod') {
  const english = z.string().safeParse(1).error.issues[0].message;
  z.config(z.locales.de());
  const german = z.string().safeParse(1).error.issues[0].message;
  console.log(JSON.stringify({ english, german, locales: Object.keys(z.locales).length }));
} else {
  const db = knex({ client: what, connection: {} });
  console.log(JSON.stringify({ client: db.client.dialect }));
}`,
    );
    const result = await build({
      entryPoints: [path.join(dir, 'entry.js')],
      outfile: path.join(dir, 'out.js'),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      external: ['zod/v4/locales/*', 'pg-native', 'pg-query-stream', 'mysql', 'mysql2', 'sqlite3', 'better-sqlite3', 'tedious', 'oracledb', 'mariadb', 'mariadb/callback'],
      plugins: [lazyZodLocales, onlyPostgresDialect],
      metafile: true,
      logLevel: 'silent',
    });
    inputs = Object.keys(result.metafile.inputs);
  }, 60_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("holds zod's English locale only, and still gives another when it is read", () => {
    const locales = inputs.filter((input) => /zod\/v4\/locales\//.test(input));
    expect(locales.map((input) => path.basename(input)).sort()).toEqual(['en.cjs', 'index.cjs']);
    const answer = run('zod');
    expect(answer.stderr).toBe('');
    const { english, german, locales: count } = JSON.parse(answer.stdout) as { english: string; german: string; locales: number };
    expect(english).toMatch(/^Invalid input: expected string/);
    expect(german).toMatch(/^Ungültige Eingabe: erwartet string/);
    expect(count).toBeGreaterThan(60);
  });

  it("holds knex's Postgres dialect only, and still finds another in node_modules", () => {
    expect(inputs.some((input) => input.includes('knex/lib/dialects/postgres/'))).toBe(true);
    expect(inputs.filter((input) => /knex\/lib\/dialects\/(?!postgres\/|index\.js)/.test(input))).toEqual([]);
    expect(JSON.parse(run('pg').stdout)).toEqual({ client: 'postgresql' });
    // The MySQL dialect loads from node_modules, and then asks for its driver, which nobody installs.
    expect(run('mysql').stderr).toMatch(/Cannot find module 'mysql'/);
  });
});
