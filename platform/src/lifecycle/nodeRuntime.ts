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
 * The Node.js arguments that run an entry file given by its source path (relative to the project
 * root): `--conditions=reelay-dist <pkg>/dist/<file>.js` from the compiled build, exactly as the
 * image runs a service, or `--import tsx <pkg>/src/<file>.ts` from the sources.
 */
export function nodeArgsForEntry(sourceEntry: string, options: { compiled?: boolean; root?: string } = {}): string[] {
  const { compiled = RUNS_COMPILED, root = PROJECT_ROOT } = options;
  return compiled
    ? [`--conditions=${COMPILED_CONDITION}`, path.join(root, compiledPathOf(sourceEntry))]
    : ['--import', 'tsx', path.join(root, sourceEntry)];
}
