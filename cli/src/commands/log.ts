import { Command } from 'commander';
import { notImplemented } from './notImplemented';

export function logCommand(): Command {
  return new Command('log').description('the global log, in order').action(notImplemented('log'));
}
