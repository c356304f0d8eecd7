import type { Knex } from 'knex';

/**
 * Versions of a projection's tables. Version N of `video_info` lives in `video_info_vN`; the view
 * `video_info` shows the active one, which is what the query API reads. A rebuild fills version
 * N+1 beside it and switches the view and the active version in one transaction.
 */
export interface ProjectionVersions {
  readonly name: string;
  readonly activeVersion: number;
  /** The version a rebuild is filling now (or left behind when it died), if any. */
  readonly buildingVersion: number | null;
  /** When the active version became active (or the table was first versioned). */
  readonly switchedAt: string;
}

/** The table holding `version` of projection `name`. */
export function versionTable(name: string, version: number): string {
  if (!Number.isSafeInteger(version) || version < 1) throw new Error(`not a projection version: ${version}`);
  return `${name}_v${version}`;
}

/** The checkpoint of a version while it is being built (the live one is the projection's own name). */
export function buildCheckpointName(name: string, version: number): string {
  return `${name}@v${version}`;
}

export async function readProjectionVersions(knex: Knex | Knex.Transaction, name: string): Promise<ProjectionVersions> {
  const row = await knex('projection_versions').where({ name }).first('active_version', 'building_version', 'switched_at');
  if (!row) throw new Error(`projection ${name} has no versions row; has the read model been migrated?`);
  return {
    name,
    activeVersion: Number(row.active_version),
    buildingVersion: row.building_version === null ? null : Number(row.building_version),
    switchedAt: (row.switched_at as Date).toISOString(),
  };
}

/** The table of the active version, as seen by `trx` now. */
export async function activeTable(trx: Knex | Knex.Transaction, name: string): Promise<string> {
  return versionTable(name, (await readProjectionVersions(trx, name)).activeVersion);
}
