#!/usr/bin/env node
// `npx reelay …`. In a development clone: the TypeScript sources through tsx, as `npm start` runs
// the services, so a clean clone needs no build step after `npm ci`. In a production tree (the
// image: `npm ci --omit=dev`, no tsx): the compiled build, as the image runs the services.
const path = require('node:path');

function resolvable(id) {
  try {
    return require.resolve(id);
  } catch {
    return undefined;
  }
}

const tsx = resolvable('tsx/cjs');
if (tsx) {
  require(tsx);
  require('../src/main.ts').main();
} else {
  // The @reelay/* packages resolve to their dist/ files only under this condition, and Node takes
  // conditions at start only: run the compiled entry in a process of its own, with our exit code.
  const { spawnSync } = require('node:child_process');
  const entry = path.join(__dirname, '../dist/main.js');
  const result = spawnSync(process.execPath, ['--conditions=reelay-dist', entry, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (result.error) {
    process.stderr.write(`reelay: cannot run ${entry}: ${result.error.message}\n`);
    process.exit(1);
  }
  process.exit(result.status ?? 1);
}
