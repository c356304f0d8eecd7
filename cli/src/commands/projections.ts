import { Command } from 'commander';
import { notImplemented } from './notImplemented';

// Placeholder: helper "projections" replaces this file (the contract: `projectionsCommand(): Command`).
export function projectionsCommand(): Command {
  const projections = new Command('projections').description('projection status and rebuilds');
  projections.command('status').description('each projection: version, checkpoint, lag').option('--json', 'JSON output').action(notImplemented('projections status'));
  projections.command('rebuild <name>').description('rebuild a projection without downtime').action(notImplemented('projections rebuild'));
  return projections;
}
