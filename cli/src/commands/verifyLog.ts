import { Command } from 'commander';
import { notImplemented } from './notImplemented';

export function verifyLogCommand(): Command {
  return new Command('log').description("recompute the log's hash chains and seals").action(notImplemented('verify log'));
}
