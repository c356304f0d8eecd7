import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { migrateTakingTurns } from '@reelay/platform';

/**
 * Which content each user already has or is sending: one row per (user, SHA-256), on
 * DATABASE_URL, which every command API process shares. Not an event and not the read model:
 * an upload in progress must be found the moment its creation is answered, on any process,
 * before anything is recorded or projected. A row is a claim — `creating` while its tus upload is
 * being created, `receiving` once it has a URL, `recorded` once UploadRequested is in the log —
 * and is checked against the upload and the log whenever it is found (a deleted video, an
 * expired or terminated upload, a crashed creation make it stale, and it is dropped then).
 */
export const CONTENT_CLAIMS_TABLE = 'content_claims';

export type ClaimState = 'creating' | 'receiving' | 'recorded';

export interface ContentClaim {
  readonly claimId: string;
  readonly userId: string;
  readonly sha256: string;
  readonly state: ClaimState;
  readonly videoId: string | null;
  readonly uploadName: string | null;
  readonly ageMs: number;
}

interface ClaimRow {
  claim_id: string;
  user_id: string;
  sha256: string;
  state: ClaimState;
  video_id: string | null;
  upload_name: string | null;
  age_ms: number | string;
}

/** The bytes do not hash to what the upload said they would: the upload fails, and nothing is kept. */
export class ContentMismatch extends Error {
  override readonly name = 'ContentMismatch';
}

export const SHA256_HEX = /^[0-9a-f]{64}$/;

export class ContentClaims {
  constructor(private readonly knex: Knex) {}

  async migrate(): Promise<void> {
    await migrateTakingTurns(this.knex, 'reelay.content_claims.schema', async (trx) => {
      await trx.raw(`
        create table if not exists ${CONTENT_CLAIMS_TABLE} (
          user_id text not null,
          sha256 text not null,
          claim_id uuid not null unique,
          state text not null check (state in ('creating', 'receiving', 'recorded')),
          video_id uuid,
          upload_name text,
          created_at timestamptz not null default now(),
          primary key (user_id, sha256)
        )`);
      await trx.raw(`create index if not exists ${CONTENT_CLAIMS_TABLE}_video_idx on ${CONTENT_CLAIMS_TABLE} (video_id)`);
    });
  }

  async find(userId: string, sha256: string): Promise<ContentClaim | undefined> {
    const row = (await this.knex(CONTENT_CLAIMS_TABLE)
      .select('claim_id', 'user_id', 'sha256', 'state', 'video_id', 'upload_name', this.knex.raw('(extract(epoch from now() - created_at) * 1000)::bigint as age_ms'))
      .where({ user_id: userId, sha256 })
      .first()) as ClaimRow | undefined;
    return row && fromRow(row);
  }

  /** Claims the content for an upload about to be created; undefined when someone holds it already. */
  async tryCreate(userId: string, sha256: string): Promise<string | undefined> {
    const claimId = randomUUID();
    const inserted = await this.knex(CONTENT_CLAIMS_TABLE).insert({ user_id: userId, sha256, claim_id: claimId, state: 'creating' }).onConflict(['user_id', 'sha256']).ignore().returning('claim_id');
    return inserted.length > 0 ? claimId : undefined;
  }

  /** The upload was created: its video id and URL name, so that any process can point at it. */
  async attach(claimId: string, videoId: string, uploadName: string): Promise<void> {
    await this.knex(CONTENT_CLAIMS_TABLE).where({ claim_id: claimId, state: 'creating' }).update({ state: 'receiving', video_id: videoId, upload_name: uploadName });
  }

  /** Drops one claim (stale, refused or failed), and only that one: a newer claim of the same content stays. */
  async drop(claimId: string): Promise<void> {
    await this.knex(CONTENT_CLAIMS_TABLE).where({ claim_id: claimId }).delete();
  }

  /**
   * Drops every claim of the user (`reelay forget-user`): a claim ties content (its SHA-256) and
   * a video to the user, and nothing of theirs is uploaded any more. Nothing when the table does
   * not exist (dedupe never ran on this database).
   */
  async dropAllOf(userId: string): Promise<number> {
    return this.knex(CONTENT_CLAIMS_TABLE)
      .where({ user_id: userId })
      .delete()
      .catch((error: { code?: string }) => (error.code === '42P01' ? 0 : Promise.reject(error)));
  }

  /** The SHA-256 the upload of `videoId` was created with, if it was. */
  async claimedFor(videoId: string): Promise<ContentClaim | undefined> {
    const row = (await this.knex(CONTENT_CLAIMS_TABLE)
      .select('claim_id', 'user_id', 'sha256', 'state', 'video_id', 'upload_name', this.knex.raw('0 as age_ms'))
      .where({ video_id: videoId })
      .first()) as ClaimRow | undefined;
    return row && fromRow(row);
  }

  /**
   * UploadRequested is recorded for `videoId` with these bytes: the content is the video's from
   * now on. When another video holds the claim (uploaded without a hash while this one was
   * sent), that one keeps it.
   */
  async recorded(userId: string, sha256: string, videoId: string): Promise<void> {
    await this.knex.raw(
      `insert into ${CONTENT_CLAIMS_TABLE} (user_id, sha256, claim_id, state, video_id) values (?, ?, ?, 'recorded', ?)
       on conflict (user_id, sha256) do update set state = 'recorded', upload_name = null
       where ${CONTENT_CLAIMS_TABLE}.video_id = excluded.video_id`,
      [userId, sha256, randomUUID(), videoId],
    );
  }

  /**
   * Checks the received bytes against the hash the upload was created with (tus: the claim; a
   * single POST: its header). A mismatch drops the claim and throws ContentMismatch.
   */
  async verify(videoId: string, actualSha256: string, declaredSha256: string | undefined): Promise<void> {
    const claim = declaredSha256 === undefined ? await this.claimedFor(videoId) : undefined;
    const expected = declaredSha256 ?? claim?.sha256;
    if (expected === undefined || expected === actualSha256) return;
    if (claim) await this.drop(claim.claimId);
    throw new ContentMismatch(
      `the bytes received hash to SHA-256 ${actualSha256}, not to ${expected} as the upload declared; nothing was kept — hash the file again and upload it anew`,
    );
  }
}

function fromRow(row: ClaimRow): ContentClaim {
  return {
    claimId: row.claim_id,
    userId: row.user_id,
    sha256: row.sha256,
    state: row.state,
    videoId: row.video_id,
    uploadName: row.upload_name,
    ageMs: Number(row.age_ms),
  };
}
