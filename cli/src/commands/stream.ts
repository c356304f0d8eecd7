import { Command } from 'commander';
import { notImplemented } from './notImplemented';

export function streamCommand(): Command {
  return new Command('stream').argument('<videoId>').option('--json', 'one JSON object per line').description("one video's whole history, in order").action(notImplemented('stream'));
}
