import { Command } from 'commander';
import { verifyVideoInfo, type ReadModelDifference } from '@reelay/projector';
import { CliFailure, createProgress, printJsonLine, withCliContext, write, type CliContext } from '../cliContext';

/** `reelay verify read-model [--json]`: exit 0 when the read model equals a replay, 1 with each difference otherwise. */
export function verifyReadModelCommand(): Command {
  return new Command('read-model')
    .description('replay the log into a shadow copy up to the live checkpoint and compare it with the read model, row by row')
    .option('--json', 'print the result as one JSON object (position, rowsCompared, eventsReplayed, eventsPerSecond, differences)')
    .option('--max-differences <n>', 'report at most this many differences', (value) => Number.parseInt(value, 10), 1000)
    .action((options: { json?: boolean; maxDifferences: number }) => withCliContext((context) => verify(context, options.json === true, options.maxDifferences)));
}

const show = (value: unknown) => JSON.stringify(value ?? null);

function describe(difference: ReadModelDifference): string {
  return `video ${difference.videoId}  ${difference.column}: live ${show(difference.live)}, replayed ${show(difference.replayed)}\n`;
}

async function verify(context: CliContext, json: boolean, maxDifferences: number): Promise<void> {
  if (!(await context.readModel().schema.hasTable('projection_versions'))) {
    throw new CliFailure('the read model has no projection versions yet: start the projector once (npm start) so it migrates DATABASE_URL');
  }
  const events = await context.eventStore();
  const head = await events.store.headPosition();
  const progress = createProgress({ label: 'verify read-model', unit: 'events', total: events.adapter === 'postgres' ? Number(head.prepare) : undefined });
  let replayed = 0;
  const result = await verifyVideoInfo({
    knex: context.readModel(),
    store: events.store,
    maxDifferences,
    onProgress: (step) => {
      progress.tick(step.events - replayed);
      replayed = step.events;
    },
  }).finally(() => progress.stop());

  const position = `${result.position.commit}/${result.position.prepare}`;
  if (json) {
    await printJsonLine({ verified: result.differences.length === 0, ...result, eventsPerSecond: Math.round(result.eventsPerSecond) });
  } else {
    for (const difference of result.differences) await write(describe(difference));
    await write(
      `${result.rowsCompared} rows compared with a replay of ${result.eventsReplayed} events up to ${position} ` +
        `(${Math.round(result.eventsPerSecond)} events/s): ${result.differences.length === 0 ? 'equal' : `${result.differences.length} differences`}\n`,
    );
  }
  if (result.differences.length > 0) {
    const more = result.differences.length >= maxDifferences ? ' (or more)' : '';
    throw new CliFailure(`the read model differs from a replay of the log up to ${position} in ${result.differences.length}${more} places`);
  }
}
