#!/usr/bin/env node
// `npx reelay …`: runs the TypeScript sources through tsx, as the services do, so a clean clone
// needs no build step after `npm ci`.
require('tsx/cjs');
require('../src/main.ts').main();
