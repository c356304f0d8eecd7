import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';
import { COMPILED_CONDITION, PROJECT_ROOT, bundledPathOf, compiledPathOf } from '@reelay/platform/core';
import { SERVICE_ENTRIES } from '../serviceEntries';

/**
 * Packages a bundle must not hold, for every service: required only on a path the service may
 * never take (EventStoreDB, the API documentation, pretty logs in development), or not installed
 * at all (the drivers of the databases knex knows besides Postgres), or reading files next to
 * their own code (MediaInfo's WebAssembly, esbuild's binary), which a bundle would move. They are
 * required from `node_modules` at run time, as before.
 */
const ALWAYS_EXTERNAL = [
  '@reelay/event-store-esdb',
  '@eventstore/db-client',
  '@fastify/swagger',
  '@fastify/swagger-ui',
  // Fastify's own schema compilers: createHttpApp gives it zod's, so they are never loaded; and
  // its `inject`, which only tests call.
  '@fastify/ajv-compiler',
  '@fastify/fast-json-stringify-compiler',
  'light-my-request',
  'pino-pretty',
  'mediainfo.js',
  'esbuild',
  'better-sqlite3',
  'mariadb',
  'mariadb/callback',
  'mysql',
  'mysql2',
  'oracledb',
  'pg-native',
  'pg-query-stream',
  'sqlite3',
  'tedious',
  // Zod's locales but English, required one by one when read (see `lazyZodLocales`).
  'zod/v4/locales/*',
];

/** S3 and the tus S3 store: loaded at start by the uploader only, by the command API when staging is on S3. */
const S3_PACKAGES = ['@aws-sdk/client-s3', '@aws-sdk/lib-storage', '@tus/s3-store'];
const LOADS_S3_AT_START = new Set(['uploader']);

/**
 * Zod 4's CommonJS build requires its 64 locales when it loads (zod issue 5665), some 320 KiB of
 * the bundle and 1 MiB of heap, though only English, which zod requires itself, is ever used
 * here. This rewrites its `locales` index so that each locale is required when it is first read.
 */
export const lazyZodLocales: Plugin = {
  name: 'lazy-zod-locales',
  setup(bundler) {
    bundler.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.cjs$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const lazy = source
        .replace(/^var (\w+) = require\("\.\/([\w-]+\.cjs)"\);\n/gm, '')
        .replace(/__importDefault\((\w+)_js_1\)\.default/g, (_, name: string) => `__importDefault(require("zod/v4/locales/${localeFile(source, name)}")).default`);
      if (lazy.includes('require("./')) throw new Error('zod/v4/locales/index.cjs has a shape the lazy-locales rewrite does not know');
      return { contents: lazy, loader: 'js' };
    });
  },
};

/**
 * knex loads the dialect a client names when it is created; every service names Postgres. The
 * other eleven (140 KiB) are left to `node_modules`, where knex's own loader still finds them.
 */
export const onlyPostgresDialect: Plugin = {
  name: 'only-postgres-dialect',
  setup(bundler) {
    bundler.onResolve({ filter: /^\.\/[\w-]+$/ }, (args) => {
      if (!/[\\/]knex[\\/]lib[\\/]dialects[\\/]index\.js$/.test(args.importer) || args.path === './postgres') return undefined;
      return { path: `knex/lib/dialects/${args.path.slice(2)}/index.js`, external: true };
    });
  },
};

function localeFile(source: string, variable: string): string {
  const match = new RegExp(`^var ${variable}_js_1 = require\\("\\./([\\w-]+\\.cjs)"\\);$`, 'm').exec(source);
  if (!match?.[1]) throw new Error(`zod/v4/locales/index.cjs: no require for ${variable}`);
  return match[1];
}

/**
 * Bundles each service's compiled entry (`<service>/dist/main.js`, what tsc wrote) with the
 * packages it loads into one minified file, `<service>/dist/bundle/main.js`, which is what the
 * image and `npm run start:compiled` run. A thousand modules cost a service some 3 MiB of heap in
 * the module loader's bookkeeping alone, and their source text, which V8 keeps to compile
 * functions lazily, another 5 MiB; one minified file holds that text in 2–3 MB
 * (docs/decisions/020-bundle-the-services.md). Names are kept, so stack traces name the real
 * functions; the source map beside it maps positions back (`--enable-source-maps`).
 */
export async function bundleServices(root = PROJECT_ROOT): Promise<void> {
  await Promise.all(
    SERVICE_ENTRIES.map(async (service) => {
      const outfile = path.join(root, bundledPathOf(service.sourceEntry));
      await mkdir(path.dirname(outfile), { recursive: true });
      const external = [...ALWAYS_EXTERNAL, ...(LOADS_S3_AT_START.has(service.name) ? [] : S3_PACKAGES)];
      const result = await build({
        entryPoints: [path.join(root, compiledPathOf(service.sourceEntry))],
        outfile,
        bundle: true,
        platform: 'node',
        target: 'node22',
        format: 'cjs',
        conditions: [COMPILED_CONDITION],
        external,
        plugins: [lazyZodLocales, onlyPostgresDialect],
        minify: true,
        keepNames: true,
        // ASCII only: one non-Latin-1 character would make V8 hold the whole source as UTF-16.
        charset: 'ascii',
        legalComments: 'linked',
        sourcemap: 'linked',
        sourcesContent: false,
        metafile: true,
        logLevel: 'warning',
      });
      await writeFile(`${outfile}.meta.json`, JSON.stringify(result.metafile));
    }),
  );
}

if (require.main === module) {
  bundleServices().catch((error: unknown) => {
    process.stderr.write(`bundling the services failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
