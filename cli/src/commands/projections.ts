import { Command } from 'commander';
import { PersonalDataVault } from '@reelay/platform';
import type { LogHoldback } from '@reelay/event-store';
import { REBUILDABLE_PROJECTIONS, RebuildAlreadyRunning, projectionStatus, rebuildVideoInfo, type ProjectionStatus } from '@reelay/projector';
import { CliFailure, UsageError, createProgress, printJsonLine, withCliContext, write, type CliContext } from '../cliContext';

/** `reelay projections status [--json]` and `reelay projections rebuild <name> [--json]`. */
export function projectionsCommand(): Command {
  const projections = new Command('projections').description('projection status and rebuilds');
  projections
    .command('status')
    .description('each projection: version, checkpoint, lag in events and seconds, the process writing it, and what holds the log back')
    .option('--json', 'print one JSON array (name, version, position, lag, holder, building, heldBack)')
    .action((options: { json?: boolean }) => withCliContext((context) => status(context, options.json === true)));
  projections
    .command('rebuild <name>')
    .description('replay a projection into its next version beside the served one, then switch to it atomically and drop the old one')
    .option('--json', 'print the result as one JSON object')
    .action((name: string, options: { json?: boolean }) => withCliContext((context) => rebuild(context, name, options.json === true)));
  return projections;
}

async function requireMigratedReadModel(context: CliContext): Promise<void> {
  if (!(await context.readModel().schema.hasTable('projection_versions'))) {
    throw new CliFailure('the read model has no projection versions yet: start the projector once (npm start) so it migrates DATABASE_URL');
  }
}

async function status(context: CliContext, json: boolean): Promise<void> {
  await requireMigratedReadModel(context);
  const { diagnostics } = await context.eventStore();
  const found = await projectionStatus(context.readModel(), diagnostics);
  if (json) return printJsonLine(found);
  for (const projection of found) await write(describeProjection(projection));
  const [first] = found;
  if (first) await write(describeHoldback(first.heldBack));
}

function describeProjection(projection: ProjectionStatus): string {
  const lines = [
    `${projection.name}`,
    `  version    ${projection.version} (active since ${projection.switchedAt})`,
    `  position   ${projection.position.commit}/${projection.position.prepare}`,
    `  lag        ${projection.lag.events} events, ${projection.lag.seconds.toFixed(1)} s`,
    `  writer     ${projection.holder ? `${projection.holder.process} (lease token ${projection.holder.token}, until ${projection.holder.expiresAt})` : 'none: no projector holds the lease'}`,
  ];
  if (projection.building) {
    lines.push(`  building   version ${projection.building.version} at ${projection.building.position.commit}/${projection.building.position.prepare}`);
  }
  return `${lines.join('\n')}\n`;
}

function describeHoldback(heldBack: LogHoldback): string {
  if (heldBack.heldBackEvents === 0) return 'log        nothing held back\n';
  const holder = heldBack.holder;
  const by = holder
    ? `transaction of pid ${holder.pid ?? '-'} (${holder.applicationName ?? 'unknown'}, ${holder.state ?? 'unknown'}, database ${holder.database ?? '-'}) open for ${holder.ageSeconds.toFixed(1)} s`
    : 'an open transaction';
  return `log        ${heldBack.heldBackEvents} committed events held back from readers by ${by}\n`;
}

async function rebuild(context: CliContext, name: string, json: boolean): Promise<void> {
  if (!(REBUILDABLE_PROJECTIONS as readonly string[]).includes(name)) {
    throw new UsageError(`unknown projection ${JSON.stringify(name)}; known: ${REBUILDABLE_PROJECTIONS.join(', ')}`);
  }
  const events = await context.eventStore();
  // On Postgres `prepare` is the log's sequence: a good estimate of the events to replay.
  const head = await events.store.headPosition();
  const progress = createProgress({ label: `rebuild ${name}`, unit: 'events', total: events.adapter === 'postgres' ? Number(head.prepare) : undefined });
  let replayed = 0;
  try {
    const result = await rebuildVideoInfo({
      knex: context.readModel(),
      store: events.store,
      personalData: PersonalDataVault.fromConfig(context.readModel(), context.config),
      onProgress: (step) => {
        progress.tick(step.events - replayed);
        replayed = step.events;
      },
      onPhase: (phase, version) => {
        if (phase === 'switching') progress.stop();
        if (phase !== 'replaying') process.stderr.write(phase === 'switching' ? `switching to version ${version}\n` : `dropping version ${version}\n`);
      },
    });
    const seconds = result.durationMs / 1000;
    if (json) return printJsonLine({ ...result, eventsPerSecond: Math.round(result.events / seconds) });
    await write(
      `rebuilt ${result.name}: version ${result.fromVersion} → ${result.toVersion}, ${result.events} events in ${seconds.toFixed(1)} s ` +
        `(${Math.round(result.events / seconds)} events/s), ${result.changedRows} rows changed at the switch, ` +
        `continuing from ${result.position.commit}/${result.position.prepare}\n`,
    );
  } catch (error) {
    progress.stop();
    if (error instanceof RebuildAlreadyRunning) throw new CliFailure(`a rebuild of ${name} is already running: ${error.message}`);
    throw error;
  }
}
