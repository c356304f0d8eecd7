/**
 * What a command throws to end with exit 1 ("failure" or "found a problem"): the message is the
 * reason, printed on stderr. Anything else thrown is reported the same way; a usage error
 * (commander's, or `UsageError`) exits 2.
 */
export class CliFailure extends Error {
  override readonly name = 'CliFailure';
}

/** A bad argument or option value that commander itself cannot see: exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Exit codes of every command. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;
