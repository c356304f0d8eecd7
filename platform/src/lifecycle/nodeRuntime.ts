import path from 'node:path';
import { PROJECT_ROOT } from '../config/config';

/**
 * The package-exports condition under which every `@reelay/*` workspace resolves to its compiled
 * `dist/` (see their package.json `exports`); without it they resolve to `src/*.ts`, which is what
 * tsx, jest and the type checker read. Production passes it: `node --conditions=reelay-dist …`.
 */
export const COMPILED_CONDITION = 'reelay-dist';

/** True when this code runs from the compiled build (`dist/*.js`), false from the sources (tsx, jest). */
export const RUNS_COMPILED = path.extname(__filename) === '.js';

/** `projector/src/main.ts` → `projector/dist/main.js` (relative to the project root): where tsc puts its output. */
export function compiledPathOf(sourceEntry: string): string {
  const [workspace, src, ...rest] = sourceEntry.split(/[/\\]/);
  if (src !== 'src' || !workspace || rest.length === 0) throw new Error(`not a workspace source file: ${sourceEntry}`);
  return path.join(workspace, 'dist', ...rest).replace(/\.ts$/, '.js');
}

/**
 * `uploader/src/main.ts` → `uploader/dist/bundle/main.js`: where `npm run build` bundles a
 * service's compiled entry with what it loads (system/src/bundle/bundleServices.ts). Three levels
 * below the project root, as every compiled module is, so `PROJECT_ROOT` holds inside it too.
 */
export function bundledPathOf(sourceEntry: string): string {
  const compiled = compiledPathOf(sourceEntry);
  const [workspace, dist, ...rest] = compiled.split(path.sep);
  if (!workspace || !dist || rest.length !== 1) throw new Error(`only a workspace's top-level entry is bundled, not ${sourceEntry}`);
  return path.join(workspace, dist, 'bundle', ...rest);
}

/**
 * The Node.js arguments that run an entry file given by its source path (relative to the project
 * root): from the sources, `--import tsx <pkg>/src/<file>.ts`; compiled, `--conditions=reelay-dist
 * <pkg>/dist/<file>.js`, or with `bundled` (a service's entry) its bundle
 * `<pkg>/dist/bundle/<file>.js`, exactly as the image runs a service.
 */
export function nodeArgsForEntry(sourceEntry: string, options: { compiled?: boolean; bundled?: boolean; root?: string } = {}): string[] {
  const { compiled = RUNS_COMPILED, bundled = false, root = PROJECT_ROOT } = options;
  if (!compiled) return ['--import', 'tsx', path.join(root, sourceEntry)];
  return [`--conditions=${COMPILED_CONDITION}`, path.join(root, bundled ? bundledPathOf(sourceEntry) : compiledPathOf(sourceEntry))];
}
