import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Knex } from 'knex';
import { abortableSleep } from '@reelay/contracts';
import type { Logger } from '../logging/logger';
import { assertLeaseHeld, releaseLease, renewLease, tryAcquireLease, type LeaseClaim } from './leaseTable';

/** Work that runs only while its lease is held; stopped when the lease goes. */
export interface LeasedWork {
  stop(): Promise<void>;
}

/** A held lease as the work sees it: `fence` goes first in each of the work's write transactions. */
export interface HeldLease extends LeaseClaim {
  fence(trx: Knex.Transaction): Promise<void>;
}

export interface LeaseRunnerOptions {
  readonly knex: Knex;
  /** The job's name: one lease, and so one active doer, per name. */
  readonly name: string;
  readonly logger: Logger;
  /** How long a lease lasts unless renewed: the longest a dead holder blocks a standby. */
  readonly ttlMs?: number;
  /** How often the holder renews (well under the TTL: a renewal may be late or fail once). */
  readonly renewEveryMs?: number;
  /** How often a standby tries to take the lease. */
  readonly standbyPollMs?: number;
  /** Starts the work once the lease is held. */
  readonly start: (lease: HeldLease) => LeasedWork | Promise<LeasedWork>;
  /** Told when this process becomes the holder (true) or stops being it (false). */
  readonly onChange?: (held: boolean) => void;
}

export interface LeaseRunner {
  /** Whether this process holds the lease (and its work runs) now. */
  isHeld(): boolean;
  /** Stops the work, if running, and releases the lease so a standby takes over at once. */
  stop(): Promise<void>;
}

export const DEFAULT_LEASE_TTL_MS = 3000;

/**
 * Runs `start`'s work only while this process holds the lease `name`, as a hot standby
 * otherwise: a holder renews every `renewEveryMs`; a standby tries every `standbyPollMs` and
 * takes over once a holder stops renewing (killed, hung, cut off) — within TTL + one poll.
 * The work's writes are fenced by `HeldLease.fence`, so even a holder that does not yet know it
 * lost the lease cannot write after its successor started.
 */
export function runWhileLeaseHeld(options: LeaseRunnerOptions): LeaseRunner {
  const { knex, name, logger } = options;
  const ttlMs = options.ttlMs ?? DEFAULT_LEASE_TTL_MS;
  const renewEveryMs = options.renewEveryMs ?? Math.max(100, Math.floor(ttlMs / 5));
  const standbyPollMs = options.standbyPollMs ?? Math.max(100, Math.floor(ttlMs / 5));
  const holder = `${os.hostname()}:${process.pid}:${randomUUID()}`;
  const stopping = new AbortController();
  let held = false;

  const setHeld = (value: boolean) => {
    held = value;
    try {
      options.onChange?.(value);
    } catch (error) {
      logger.warn({ err: error, lease: name }, 'lease observer failed');
    }
  };

  /** Renews until the lease is lost or we stop; resolves when the work must end. */
  const keepRenewing = async (claim: LeaseClaim): Promise<void> => {
    let renewedAt = Date.now();
    while (!stopping.signal.aborted) {
      await abortableSleep(renewEveryMs, stopping.signal);
      if (stopping.signal.aborted) return;
      const renewed = await renewLease(knex, claim, ttlMs).catch((error: unknown) => {
        logger.warn({ err: error, lease: name }, 'could not renew the lease; trying again');
        return undefined;
      });
      if (renewed) {
        renewedAt = Date.now();
      } else if (renewed === false || Date.now() - renewedAt >= ttlMs) {
        logger.warn({ lease: name }, 'lease lost; stopping the work and standing by');
        return;
      }
    }
  };

  const run = async (): Promise<void> => {
    while (!stopping.signal.aborted) {
      const claim = await tryAcquireLease(knex, name, holder, ttlMs).catch((error: unknown) => {
        logger.warn({ err: error, lease: name }, 'could not try for the lease');
        return undefined;
      });
      if (!claim) {
        await abortableSleep(standbyPollMs, stopping.signal);
        continue;
      }
      logger.info({ lease: name, token: claim.token }, 'lease acquired; starting the work');
      let work: LeasedWork | undefined;
      try {
        work = await options.start({ ...claim, fence: (trx) => assertLeaseHeld(trx, claim) });
        setHeld(true);
        await keepRenewing(claim);
      } catch (error) {
        logger.error({ err: error, lease: name }, 'the leased work failed to start; letting the lease go');
      } finally {
        if (held) setHeld(false);
        await work?.stop().catch((error: unknown) => logger.error({ err: error, lease: name }, 'the leased work failed to stop'));
        // Stopping cleanly, or unable to start: hand over now instead of after the TTL.
        if (stopping.signal.aborted || !work) await releaseLease(knex, claim).catch(() => undefined);
      }
      if (!work) await abortableSleep(standbyPollMs, stopping.signal);
    }
  };
  const running = run().catch((error: unknown) => logger.error({ err: error, lease: name }, 'the lease runner failed'));

  return {
    isHeld: () => held,
    async stop() {
      stopping.abort();
      await running;
    },
  };
}
