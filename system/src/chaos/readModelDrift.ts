import type { Knex } from 'knex';
import { asVideoEvent, foldVideo, videoStreamName, type VideoState } from '@reelay/contracts';
import type { EventStore } from '@reelay/event-store';

/** The columns of a `video_info` row the comparison needs. */
export interface ReadModelRow {
  readonly video_id: string;
  readonly status: string;
  readonly uploaded_percentage: number;
  readonly failure_reason: string | null;
  readonly uploaded_at: Date | null;
  readonly last_revision: number | string;
}

export async function readModelRows(knex: Knex, videoIds: readonly string[]): Promise<Map<string, ReadModelRow>> {
  const rows = await knex<ReadModelRow>('video_info')
    .whereIn('video_id', [...videoIds])
    .select('video_id', 'status', 'uploaded_percentage', 'failure_reason', 'uploaded_at', 'last_revision');
  return new Map(rows.map((row) => [row.video_id, row]));
}

/**
 * Whether a read-model row differs from the fold of its stream (the contracts' pure `foldVideo`);
 * a missing row is drift too. Every event of a stream moves the row's revision by one, so a row
 * applied twice, or an event skipped, shows in `last_revision` even where the fields agree.
 */
export function driftOf(row: ReadModelRow | undefined, state: VideoState): boolean {
  if (!row) return true;
  const uploadedAt = row.uploaded_at ? new Date(row.uploaded_at).getTime() : null;
  const expectedUploadedAt = state.uploadedAt ? new Date(state.uploadedAt).getTime() : null;
  return (
    row.status !== state.status ||
    row.uploaded_percentage !== state.uploadedPercentage ||
    (row.failure_reason ?? null) !== (state.status === 'FAILED' ? (state.failure?.reason ?? null) : null) ||
    uploadedAt !== expectedUploadedAt ||
    Number(row.last_revision) !== state.revision
  );
}

/** The videos among `videoIds` whose row differs from the fold of their stream. */
export async function readModelDrift(store: EventStore, knex: Knex, videoIds: readonly string[]): Promise<string[]> {
  const rows = await readModelRows(knex, videoIds);
  const drifted: string[] = [];
  for (const videoId of videoIds) {
    const state = foldVideo((await store.readStream(videoStreamName(videoId))).map(asVideoEvent));
    if (state && driftOf(rows.get(videoId), state)) drifted.push(videoId);
  }
  return drifted;
}
