import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Knex } from 'knex';
import { assertLeaseHeld, readLease, releaseLease, renewLease, runPeriodically, tryAcquireLease, type LeaseClaim } from '@reelay/platform';

/** Another rebuild of the same projection holds its lease: two would fight over one next version. */
export class RebuildAlreadyRunning extends Error {
  override readonly name = 'RebuildAlreadyRunning';
}

/** A lease held for the length of one operation, renewed in the background until released. */
export interface HeldOperationLease {
  /** Throws inside `trx` if the lease was lost, and keeps it until `trx` ends. */
  fence(trx: Knex.Transaction): Promise<void>;
  release(): Promise<void>;
}

const TTL_MS = 15_000;
const RENEW_EVERY_MS = 3_000;

/**
 * Takes lease `name` for one operation (a rebuild) or throws RebuildAlreadyRunning naming the
 * holder. A rebuild that dies lets it expire after 15 s; every write it does is fenced by it.
 */
export async function holdOperationLease(knex: Knex, name: string): Promise<HeldOperationLease> {
  const holder = `${os.hostname()}:${process.pid}:${randomUUID()}`;
  const claim: LeaseClaim | undefined = await tryAcquireLease(knex, name, holder, TTL_MS);
  if (!claim) {
    const current = await readLease(knex, name);
    throw new RebuildAlreadyRunning(`${name} is held by ${current?.holder ?? 'another process'} until ${current?.expiresAt ?? 'soon'}`);
  }
  // A renewal that fails is only tried again: the fence is what stops a rebuild that lost the lease.
  const renewing = runPeriodically(() => renewLease(knex, claim, TTL_MS), { intervalMs: RENEW_EVERY_MS, runAtStart: false, onError: () => undefined });
  return {
    fence: (trx) => assertLeaseHeld(trx, claim),
    async release() {
      await renewing.stop();
      await releaseLease(knex, claim).catch(() => undefined);
    },
  };
}
