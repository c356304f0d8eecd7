import { Command } from 'commander';
import { notImplemented } from './notImplemented';

// Placeholder: helper "projections" replaces this file (the contract: `verifyReadModelCommand(): Command`,
// named `read-model`, added under `verify` by main.ts).
export function verifyReadModelCommand(): Command {
  return new Command('read-model').description('compare the read model with a replay of the log').action(notImplemented('verify read-model'));
}
