import { ConfigError } from '@reelay/platform';
import { Command, CommanderError } from 'commander';
import { CliFailure, EXIT, UsageError } from './cliFailure';
import { forgetUserCommand } from './commands/forgetUser';
import { logCommand } from './commands/log';
import { projectionsCommand } from './commands/projections';
import { sealCommand } from './commands/seal';
import { streamCommand } from './commands/stream';
import { verifyLogCommand } from './commands/verifyLog';
import { verifyReadModelCommand } from './commands/verifyReadModel';

/** The command tree of `reelay`. Other slices plug in through one function each (see commands/). */
export function buildProgram(): Command {
  const program = new Command('reelay')
    .description("Reelay's operator and auditor tool; configured by the services' variables (DATABASE_URL, EVENT_STORE_URL, …)")
    .showHelpAfterError();
  program.addCommand(streamCommand());
  program.addCommand(logCommand());
  program.addCommand(new Command('verify').description('prove the log and the read model are what they should be').addCommand(verifyLogCommand()).addCommand(verifyReadModelCommand()));
  program.addCommand(sealCommand());
  program.addCommand(projectionsCommand());
  program.addCommand(forgetUserCommand());
  throwInsteadOfExiting(program);
  return program;
}

/** Commander exits by itself on usage errors; every command throws instead, so `run` picks the code. */
function throwInsteadOfExiting(command: Command): void {
  command.exitOverride();
  for (const sub of command.commands) throwInsteadOfExiting(sub);
}

/** Runs one command line; resolves to its exit code, the reason of a failure written to stderr. */
export async function run(argv: readonly string[], stderr: NodeJS.WritableStream = process.stderr): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv]);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version end with a CommanderError too; commander already printed the message.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if ((error as NodeJS.ErrnoException).code === 'EPIPE') return EXIT.ok;
    if (error instanceof UsageError || error instanceof ConfigError) {
      stderr.write(`reelay: ${error.message}\n`);
      return EXIT.usage;
    }
    const message = error instanceof CliFailure ? error.message : error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    stderr.write(`reelay: ${message}\n`);
    return EXIT.failure;
  }
}

/** Exits once stdout has taken everything written, so a piped export is never cut short. */
export async function main(argv: readonly string[] = process.argv): Promise<never> {
  // `reelay log | head`: the reader left; that is the end of the output, not a failure.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => process.exit(error.code === 'EPIPE' ? EXIT.ok : EXIT.failure));
  const code = await run(argv);
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  process.exit(code);
}

if (require.main === module) void main();
