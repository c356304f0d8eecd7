import type { Knex } from 'knex';
import type { Position } from '@reelay/contracts';
import { readLease } from '@reelay/platform';
import { loadCheckpoint, type LogDiagnostics, type LogHoldback } from '@reelay/event-store';
import { buildCheckpointName, readProjectionVersions } from '../readModel/projectionVersions';
import { REBUILDABLE_PROJECTIONS } from './rebuildVideoInfo';

/** One projection as `reelay projections status` reports it. */
export interface ProjectionStatus {
  readonly name: string;
  /** The active (served) version. */
  readonly version: number;
  /** The live checkpoint: where the active version has got to in the global log. */
  readonly position: Position;
  readonly lag: { readonly events: number; readonly seconds: number };
  /** The process that holds the writer's lease (`host:pid:id`), if any holds it now. */
  readonly holder: { readonly process: string; readonly token: number; readonly expiresAt: string } | null;
  /** A version being built by `projections rebuild` (or left behind by one that died). */
  readonly building: { readonly version: number; readonly position: Position } | null;
  readonly switchedAt: string;
  /** What keeps the global log from readers (the same for every projection). */
  readonly heldBack: LogHoldback;
}

/** The writer's lease of a projection (the projector takes it as `projection:<name>`). */
export const projectionLease = (name: string) => `projection:${name}`;

/**
 * The state of every projection: version, checkpoint, lag in events and seconds (held-back
 * events included, so a stuck transaction shows as growing lag), the lease holder, a rebuild in
 * progress, and what holds the log back.
 */
export async function projectionStatus(knex: Knex, diagnostics: LogDiagnostics): Promise<ProjectionStatus[]> {
  const heldBack = await diagnostics.holdback();
  const leasesExist = await knex.schema.hasTable('leases');
  return Promise.all(
    REBUILDABLE_PROJECTIONS.map(async (name): Promise<ProjectionStatus> => {
      const versions = await readProjectionVersions(knex, name);
      const position = await loadCheckpoint(knex, name);
      const lag = await diagnostics.lag(position);
      const lease = leasesExist ? await readLease(knex, projectionLease(name)) : undefined;
      const building =
        versions.buildingVersion === null
          ? null
          : { version: versions.buildingVersion, position: await loadCheckpoint(knex, buildCheckpointName(name, versions.buildingVersion)) };
      return {
        name,
        version: versions.activeVersion,
        position,
        lag: { events: lag.eventsBehind, seconds: lag.secondsBehind },
        holder: lease?.held ? { process: lease.holder, token: lease.token, expiresAt: lease.expiresAt } : null,
        building,
        switchedAt: versions.switchedAt,
        heldBack,
      };
    }),
  );
}
