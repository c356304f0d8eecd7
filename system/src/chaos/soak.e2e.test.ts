import { describe, it, expect } from '@jest/globals';
import { testS3Endpoint } from '@reelay/testing';
import { runSoak } from './soak';

/**
 * The short form of `npm run soak` for CI: dozens of small uploads from a dozen users while a
 * chaos loop kills every service once or more (SIGKILL) and restarts Postgres and NATS.
 */
describe('a soak under chaos (short form)', () => {
  it('loses no video, completes and pushes each exactly once, and leaves the read model equal to the log', async () => {
    const report = await runSoak({
      uploads: Number(process.env.SOAK_UPLOADS ?? 36),
      users: 12,
      concurrency: 6,
      minBytes: 32 * 1024,
      maxBytes: 1024 * 1024,
      faultEveryMs: 1000,
      durationMs: 15_000,
      s3Endpoint: testS3Endpoint(),
      settleTimeoutMs: 120_000,
    });
    const { outcome, ...figures } = report;
    process.stdout.write(`soak (short form): ${JSON.stringify(figures)}\n`);
    expect(outcome.notTerminal).toEqual([]);
    expect(outcome.duplicateCompletions).toEqual([]);
    expect(outcome.duplicatePushes).toEqual([]);
    expect(outcome.missingPushes).toEqual([]);
    expect(outcome.checksumMismatches).toEqual([]);
    expect(outcome.drift).toEqual([]);
    expect(outcome.queryApiStale).toEqual([]);
    expect(report.verifyReadModel).toEqual({ rowsCompared: report.uploads, differences: 0 });
    expect(report.uploaded + report.failed).toBe(report.uploads);
    // Every kind of fault was injected at least once.
    expect(Object.keys(report.faults).sort()).toEqual(
      ['kill command-api', 'kill notifier', 'kill projector', 'kill query-api', 'kill uploader', 'restart nats', 'restart postgres'].sort(),
    );
    expect(report.unexpectedExits).toEqual({});
    expect(Object.values(report.shutdown).map((exit) => exit.code)).toEqual([0, 0, 0, 0, 0]);
  }, 600_000);
});
