import { describe, it, expect } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { testS3Endpoint } from '@reelay/testing';
import { CLUSTER_FAULTS } from './clusterFaults';
import { runClusterSoak } from './clusterSoak';

const haproxyInstalled = (() => {
  try {
    execFileSync(process.env.HAPROXY_BIN ?? 'haproxy', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!haproxyInstalled) process.stderr.write('SKIPPED: the cluster soak needs HAProxy (Debian package haproxy; .ci/run installs it)\n');

/**
 * The short form of `npm run soak -- --cluster` for CI: a few dozen uploads (half over tus)
 * through HAProxy into the local cluster while each of the cluster's faults happens once — a copy
 * of every service killed, a NATS node killed and one frozen, Postgres failed over to its replica,
 * the balancer killed, a command API killed under tus uploads.
 */
(haproxyInstalled ? describe : describe.skip)('a soak of the cluster under its faults (short form)', () => {
  it('loses no video, completes and pushes each once, leaves the read model equal to the log, and gets jobs and writes going again after failovers', async () => {
    const directory = await mkdtemp(path.join(os.tmpdir(), 'reelay-cluster-soak-'));
    const started = Date.now();
    try {
      const report = await runClusterSoak({
        directory,
        uploads: 24,
        users: 8,
        concurrency: 6,
        minBytes: 32 * 1024,
        maxBytes: 1024 * 1024,
        tusShare: 0.5,
        tusChunkBytes: 256 * 1024,
        faultEveryMs: 1500,
        durationMs: 30_000,
        s3Endpoint: testS3Endpoint(),
        settleTimeoutMs: 240_000,
        log: (line) => process.stderr.write(`[cluster soak ${((Date.now() - started) / 1000).toFixed(1)} s] ${line}\n`),
      });
      const { outcome, ...figures } = report;
      process.stdout.write(`cluster soak (short form): ${JSON.stringify(figures)}\n`);
      expect(report.phonesGaveUp).toBe(0);
      expect(outcome.notTerminal).toEqual([]);
      expect(outcome.duplicateCompletions).toEqual([]);
      expect(outcome.duplicatePushes).toEqual([]);
      expect(outcome.missingPushes).toEqual([]);
      expect(outcome.checksumMismatches).toEqual([]);
      expect(outcome.drift).toEqual([]);
      expect(outcome.queryApiStale).toEqual([]);
      expect(report.verifyReadModel).toEqual({ rowsCompared: report.uploads, differences: 0 });
      expect(report.uploaded + report.failed).toBe(report.uploads);
      expect(Object.keys(report.faults).sort()).toEqual([...CLUSTER_FAULTS].sort());
      expect(report.tusUploads).toBeGreaterThan(0);
      // Jobs flowed again after every NATS node lost, and writes were accepted after the promotion.
      for (const recovery of report.natsRecovery) expect(recovery.jobsFlowingAfterMs ?? Infinity).toBeLessThan(120_000);
      expect(report.postgresFailovers.length).toBeGreaterThanOrEqual(1);
      for (const failover of report.postgresFailovers) expect(failover.promotedToWriteAcceptedMs ?? Infinity).toBeLessThan(120_000);
      expect(report.unexpectedExits).toEqual({});
      expect(Object.values(report.shutdown).map((exit) => exit.code)).toEqual(Object.values(report.shutdown).map(() => 0));
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  }, 1_500_000);
});
