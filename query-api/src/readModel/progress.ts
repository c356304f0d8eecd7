import type { Knex } from 'knex';
import type { VideoId, VideoProgress, VideoStatus, VideoView } from '@reelay/contracts';
import { INTAKE_PROGRESS_TABLE, type IntakeProgressRow } from '@reelay/platform';
import { isErased } from '../getVideo/etag';

/**
 * The second leg from the read model: once `UploadRequested` is projected, every byte has been
 * received; the uploader's percentage says how much of it is in object storage. Pure.
 */
export function storedProgress(status: VideoStatus, sizeBytes: number, uploadedPercentage: number): VideoProgress {
  const storedBytes = status === 'UPLOADED' ? sizeBytes : Math.floor((sizeBytes * uploadedPercentage) / 100);
  const phase = status === 'UPLOADED' ? 'done' : status === 'FAILED' || status === 'DELETED' ? 'stopped' : 'storing';
  return { phase, receivedBytes: sizeBytes, storedBytes, totalBytes: sizeBytes, percentage: phase === 'done' ? 100 : uploadedPercentage };
}

/** The first leg: a video whose bytes are still arriving, as a `PENDING` video. Pure. */
export function receivingView(row: IntakeProgressRow): VideoView {
  const received = Number(row.received_bytes);
  const total = row.total_bytes === null ? null : Number(row.total_bytes);
  const percentage = total === null ? null : total === 0 ? 100 : Math.min(100, Math.floor((received / total) * 100));
  return {
    videoId: row.video_id as VideoId,
    userId: row.user_id,
    status: 'PENDING',
    uploadedPercentage: 0,
    metaInfo: { ...row.meta_info, sizeBytes: total ?? received, requestedAt: row.started_at.toISOString(), uploadedAt: null, media: null, mediaProbe: 'pending' },
    failureReason: null,
    progress: { phase: 'receiving', receivedBytes: received, storedBytes: 0, totalBytes: total, percentage },
  };
}

/** The ETag of a video still arriving: changes with every count written, and when its user is forgotten (see videoEtag). */
export function receivingEtag(row: IntakeProgressRow): string {
  return `"${row.video_id}.r${String(row.received_bytes)}${isErased(row.meta_info) ? '.erased' : ''}"`;
}

/** A database the command API has not migrated yet has no arriving videos: not an error. */
function noTableYet<T>(empty: T): (error: { code?: string }) => T {
  return (error) => {
    if (error.code === '42P01') return empty;
    throw error;
  };
}

const INTAKE_COLUMNS = 'video_id, user_id, meta_info, received_bytes, total_bytes, started_at, updated_at';

/** The caller's video whose bytes are still arriving and that the read model does not show yet. */
export async function findReceivingOfUser(knex: Knex, videoId: string, userId: string): Promise<IntakeProgressRow | undefined> {
  const result = await knex.raw<{ rows: IntakeProgressRow[] }>(
    `select ${INTAKE_COLUMNS} from ${INTAKE_PROGRESS_TABLE} i where video_id = ? and user_id = ? and not exists (select 1 from video_info v where v.video_id = i.video_id)`,
    [videoId, userId],
  ).catch(noTableYet({ rows: [] as IntakeProgressRow[] }));
  return result.rows[0];
}

/** The caller's videos still arriving (newest first), for the top of the first page of the list. */
export async function listReceivingOfUser(knex: Knex, userId: string, limit: number): Promise<IntakeProgressRow[]> {
  const result = await knex.raw<{ rows: IntakeProgressRow[] }>(
    `select ${INTAKE_COLUMNS} from ${INTAKE_PROGRESS_TABLE} i where user_id = ? and not exists (select 1 from video_info v where v.video_id = i.video_id) order by started_at desc limit ?`,
    [userId, limit],
  ).catch(noTableYet({ rows: [] as IntakeProgressRow[] }));
  return result.rows;
}
