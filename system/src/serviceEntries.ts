import path from 'node:path';
import { PROJECT_ROOT, type Config } from '@reelay/platform/core';

export interface ServiceEntry {
  readonly name: string;
  /** Its TypeScript entry file, absolute. */
  readonly entry: string;
  /** The same, relative to the project root (`projector/src/main.ts`): see `nodeArgsForEntry`. */
  readonly sourceEntry: string;
  /** Where its HTTP server listens: the API itself, or the worker's health and metrics. */
  readonly port: (config: Config) => number;
  readonly api: boolean;
  /** What the startup message points at, when not `/v1` or `/metrics`. */
  readonly path?: string;
  /** Flags for its Node.js runtime. */
  readonly nodeFlags?: readonly string[];
}

/**
 * Every phone's poll allocates a little and keeps nothing, so the query API's young generation
 * fills fast; with V8's default semi-space (16 MiB) its scavenges came often enough to show in
 * the p99. 32 MiB halves how often they run, for a few tens of MiB more memory at most.
 * Measured in `npm run bench -- status-reads`.
 */
const HOT_READ_PATH_FLAGS = ['--max-semi-space-size=32'];

/**
 * Start-up grows V8's young generation to two 16 MiB semi-spaces, and its memory reducer gives
 * them back only 30-60 s into an idle service; 2 MiB semi-spaces take 10-16 MiB off an idle
 * service from the start, at a throughput cost within the benchmark's noise
 * (docs/decisions/018-small-young-generation.md). The image sets the same in `NODE_OPTIONS`.
 */
export const SMALL_YOUNG_GENERATION_FLAGS = ['--max-semi-space-size=2'];

/** Every service of the system, in the order they are started. */
const SERVICES: readonly Omit<ServiceEntry, 'sourceEntry'>[] = [
  { name: 'projector', entry: 'projector/src/main.ts', port: (c) => c.PROJECTOR_OPS_PORT, api: false, nodeFlags: SMALL_YOUNG_GENERATION_FLAGS },
  { name: 'notifier', entry: 'notifier/src/main.ts', port: (c) => c.NOTIFIER_OPS_PORT, api: false, nodeFlags: SMALL_YOUNG_GENERATION_FLAGS },
  { name: 'uploader', entry: 'uploader/src/main.ts', port: (c) => c.UPLOADER_OPS_PORT, api: false, nodeFlags: SMALL_YOUNG_GENERATION_FLAGS },
  { name: 'query-api', entry: 'query-api/src/main.ts', port: (c) => c.QUERY_API_PORT, api: true, nodeFlags: HOT_READ_PATH_FLAGS },
  { name: 'command-api', entry: 'command-api/src/main.ts', port: (c) => c.COMMAND_API_PORT, api: true, nodeFlags: SMALL_YOUNG_GENERATION_FLAGS },
  { name: 'demo', entry: 'demo/src/main.ts', port: (c) => c.DEMO_PORT, api: false, path: '/demo', nodeFlags: SMALL_YOUNG_GENERATION_FLAGS },
];

export const SERVICE_ENTRIES: readonly ServiceEntry[] = SERVICES.map((service) => ({
  ...service,
  sourceEntry: service.entry,
  entry: path.join(PROJECT_ROOT, service.entry),
}));
