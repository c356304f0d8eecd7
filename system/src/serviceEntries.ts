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
 * fills fast. 8 MiB semi-spaces served as many reads with the same p99 as 32 MiB, with some
 * 40 MiB less resident under load; 2 MiB cost a tenth of the throughput and 4 MiB a quarter
 * (docs/decisions/018-small-young-generation.md). Measured in `npm run bench -- status-reads`.
 */
const HOT_READ_PATH_FLAGS = ['--max-semi-space-size=8'];

/**
 * Start-up grows V8's young generation to two 16 MiB semi-spaces, and its memory reducer gives
 * them back only 30-60 s into an idle service; 2 MiB semi-spaces take 10-16 MiB off an idle
 * service from the start, at a throughput cost within the benchmark's noise
 * (docs/decisions/018-small-young-generation.md). The image sets the same in `NODE_OPTIONS`.
 */
export const SMALL_YOUNG_GENERATION_FLAGS = ['--max-semi-space-size=2'];

/**
 * A service runs most of its code once, at start (every module's top level, every route's
 * declaration), and V8 keeps that bytecode until six mark-compact collections have passed
 * without it running. After two it is dropped, and compiled again from the source if it ever
 * runs again: about 4 MiB less heap at idle (2-6), the same throughput
 * (docs/decisions/019-flush-start-up-bytecode.md). A V8 flag that `NODE_OPTIONS` refuses, so the
 * image passes it in its command.
 */
export const FLUSH_START_UP_BYTECODE_FLAGS = ['--bytecode-old-age=2'];

/**
 * glibc's allocator raises its trim threshold to twice the largest block it has handed back with
 * munmap, and then keeps up to that much freed memory in the process. Compiling a service's bundle
 * frees 10-20 MiB of V8's parser zones at start; with the threshold fixed at 128 KiB that memory
 * goes back to the system: a bundled uploader idled at 77-78 MiB in the benchmark's rounds, 97-101
 * without it (docs/decisions/020-bundle-the-services.md). Fixing it also fixes the mmap threshold
 * at 128 KiB: larger blocks are mapped and unmapped each time instead of reused. The image sets
 * the same.
 */
export const SERVICE_ENVIRONMENT: Readonly<Record<string, string>> = {
  GLIBC_TUNABLES: 'glibc.malloc.trim_threshold=131072:glibc.malloc.mmap_threshold=131072',
};

const SERVICE_FLAGS = [...SMALL_YOUNG_GENERATION_FLAGS, ...FLUSH_START_UP_BYTECODE_FLAGS];
const QUERY_API_FLAGS = [...HOT_READ_PATH_FLAGS, ...FLUSH_START_UP_BYTECODE_FLAGS];

/** Every service of the system, in the order they are started. */
const SERVICES: readonly Omit<ServiceEntry, 'sourceEntry'>[] = [
  { name: 'projector', entry: 'projector/src/main.ts', port: (c) => c.PROJECTOR_OPS_PORT, api: false, nodeFlags: SERVICE_FLAGS },
  { name: 'notifier', entry: 'notifier/src/main.ts', port: (c) => c.NOTIFIER_OPS_PORT, api: false, nodeFlags: SERVICE_FLAGS },
  { name: 'uploader', entry: 'uploader/src/main.ts', port: (c) => c.UPLOADER_OPS_PORT, api: false, nodeFlags: SERVICE_FLAGS },
  { name: 'query-api', entry: 'query-api/src/main.ts', port: (c) => c.QUERY_API_PORT, api: true, nodeFlags: QUERY_API_FLAGS },
  { name: 'command-api', entry: 'command-api/src/main.ts', port: (c) => c.COMMAND_API_PORT, api: true, nodeFlags: SERVICE_FLAGS },
  { name: 'demo', entry: 'demo/src/main.ts', port: (c) => c.DEMO_PORT, api: false, path: '/demo', nodeFlags: SERVICE_FLAGS },
];

export const SERVICE_ENTRIES: readonly ServiceEntry[] = SERVICES.map((service) => ({
  ...service,
  sourceEntry: service.entry,
  entry: path.join(PROJECT_ROOT, service.entry),
}));
