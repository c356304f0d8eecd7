import { ConfigError } from '@reelay/platform/core';
import type { ServiceEntry } from './serviceEntries';

/**
 * The services `npm start` runs: all of them, or those named by `--only` (repeated, or one
 * comma-separated list), e.g. `npm start -- --only uploader` to add an uploader on another
 * machine. An unknown name is refused with one line, like a bad variable.
 */
export function servicesToStart(args: readonly string[], all: readonly ServiceEntry[]): readonly ServiceEntry[] {
  const named: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] as string;
    if (arg === '--only') {
      i += 1;
      named.push(...(args[i] ?? '').split(','));
    } else if (arg.startsWith('--only=')) named.push(...arg.slice('--only='.length).split(','));
    else throw new ConfigError(`unknown argument ${arg} (usage: npm start [-- --only <service>[,<service>…]])`);
  }
  if (named.length === 0) return all;
  const known = new Set(all.map((service) => service.name));
  const unknown = named.filter((name) => !known.has(name));
  if (unknown.length > 0) throw new ConfigError(`--only names no service ${unknown.join(', ')} (one of ${[...known].join(', ')})`);
  return all.filter((service) => named.includes(service.name));
}
