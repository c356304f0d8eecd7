import { Command } from 'commander';
import { notImplemented } from './notImplemented';

// Placeholder: helper "forget-user" replaces this file (the contract: `forgetUserCommand(): Command`).
export function forgetUserCommand(): Command {
  return new Command('forget-user').argument('<userId>').description("erase a user's personal data (crypto-shredding)").action(notImplemented('forget-user'));
}
