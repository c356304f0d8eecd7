import { verifyEventLog, type LogProblem, type LogVerification } from '@reelay/event-store';
import { Command } from 'commander';
import { CliFailure, createProgress, withCliContext, write, type ProgressReporter } from '../cliContext';

/** The reason on stderr: where the first problem is and what differs. */
export function describeProblem(problem: LogProblem): string {
  const where = problem.streamName === undefined ? (problem.position ? `at ${problem.position}` : '') : `event at ${problem.position} (stream ${problem.streamName}, revision ${problem.revision})`;
  return `verify log: ${where ? `${where}: ` : ''}${problem.detail}`;
}

/** The line on stdout when all is well. */
export function describeVerified(result: LogVerification): string {
  const seal = result.lastSeal
    ? `${result.seals} seal${result.seals === 1 ? '' : 's'} match, the last (#${result.lastSeal.sealNumber}) up to ${result.lastSeal.upTo.commit}/${result.lastSeal.upTo.prepare}, ${result.lastSeal.eventCount} events, hash ${result.lastSeal.chainHash}`
    : 'no seals yet';
  const unsealed = result.unsealedEvents > 0 ? `; ${result.unsealedEvents} newer events are chained but not sealed yet (reelay seal)` : '';
  return `verified: ${result.events} events in ${result.streams} stream${result.streams === 1 ? '' : 's'}, every hash chain intact; ${seal}${unsealed}`;
}

/**
 * `reelay verify log`: recomputes every event's hash and its stream's chain, then the seals over
 * the global order, from the stored rows; exit 1 with the first event that does not match.
 * For the Postgres event store (EventStoreDB keeps its own log, without these hashes).
 */
export function verifyLogCommand(): Command {
  return new Command('log')
    .description("recompute the log's hash chains and seals; exit 1 at the first event that does not match")
    .option('--seal <hash>', 'also require a seal with this hash (one printed earlier and kept outside the database)')
    .action(async (options: { seal?: string }) => {
      await withCliContext(async (context) => {
        const pool = await context.eventLogPool();
        let progress: ProgressReporter | undefined;
        let result: LogVerification;
        try {
          result = await verifyEventLog(pool, {
            onPhase: (phase, total) => {
              progress?.stop();
              progress = createProgress({ label: `verify log (${phase})`, unit: 'events', total });
            },
            onProgress: (count) => progress?.tick(count),
          });
        } finally {
          progress?.stop();
        }
        if (result.problem) throw new CliFailure(describeProblem(result.problem));
        if (options.seal !== undefined) {
          const wanted = options.seal.trim().toLowerCase();
          const { rows } = await pool.query('select seal_number from event_log_seal where chain_hash = decode($1, \'hex\')', [/^[0-9a-f]{64}$/.test(wanted) ? wanted : '']);
          if (rows.length === 0) throw new CliFailure(`verify log: no seal has the hash ${options.seal}: the log or its seals were rewritten since it was printed`);
        }
        await write(`${describeVerified(result)}\n`);
      });
    });
}
