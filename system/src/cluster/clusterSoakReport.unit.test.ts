import { describe, it, expect } from '@jest/globals';
import { firstAfter, summarise, type SoakFacts } from './clusterSoakReport';
import { haproxyConfig } from './haproxyConfig';

const outcome = {
  videos: 2,
  uploaded: 2,
  failed: 0,
  failureReasons: {},
  restartedUploads: 1,
  notTerminal: [],
  checksumMismatches: [],
  duplicateCompletions: [],
  missingPushes: [],
  duplicatePushes: [],
  drift: [],
  queryApiStale: [],
};

describe('the cluster soak report', () => {
  it('finds the first moment at or after a fault, or none', () => {
    expect(firstAfter(1000, [900, 1600, 1300, 2000])).toBe(300);
    expect(firstAfter(1000, [1000])).toBe(0);
    expect(firstAfter(1000, [100, 999])).toBeNull();
  });

  it('times NATS recovery by the probe upload\'s job start, failovers by the probe\'s acceptance after promotion, and counts tus bytes sent twice', () => {
    const facts: SoakFacts = {
      sent: [
        { videoId: 'a', userId: 'u', sha256: '', sizeBytes: 1000, attempts: 1, acceptedAt: 5_000 },
        { videoId: 'b', userId: 'u', sha256: '', sizeBytes: 2000, attempts: 3, acceptedAt: 12_500, tus: { bytesSent: 2500, resumes: 2, restarts: 0 } },
      ],
      phonesGaveUp: 0,
      startedAt: Date.now() - 1000,
      faults: { 'kill nats node': 1, 'fail over postgres': 1 },
      unexpectedExits: {},
      outcome,
      verified: { rowsCompared: 2, differences: [] },
      videoBytes: 3000,
      bytesToStorage: 3600,
      // Video b is the probe sent after the loss; a's job started before it.
      jobStarts: new Map([
        ['a', 5_200],
        ['b', 13_100],
      ]),
      natsFaults: [{ kind: 'kill nats node', node: 'nats-2', at: 10_000, ledJobsStream: true, goneMs: 900, probeVideoId: 'b' }],
      failovers: [{ mode: 'immediate', stoppedAt: 11_000, promotedAt: 11_400, routedAt: 12_100, writeAcceptedAt: 12_500 }],
      exits: { 'uploader-1': { code: 0, signal: null, afterSignalMs: 120 } },
    };
    const report = summarise(facts);
    expect(report.natsRecovery).toEqual([{ kind: 'kill nats node', node: 'nats-2', ledJobsStream: true, goneMs: 900, jobsFlowingAfterMs: 3_100 }]);
    expect(report.postgresFailovers).toEqual([{ mode: 'immediate', stopToPromotedMs: 400, promotedToRoutedMs: 700, promotedToWriteAcceptedMs: 1_100 }]);
    expect(report.tusUploads).toBe(1);
    expect(report.tusResumes).toBe(2);
    expect(report.tusResentShare).toBeCloseTo(0.25);
    expect(report.resentShare).toBeCloseTo(0.2);
    expect(report.postRetries).toBe(0);
    expect(report.faultsTotal).toBe(2);
    expect(report.shutdown).toEqual({ 'uploader-1': { code: 0, ms: 120 } });
  });
});

describe('the local balancer configuration', () => {
  const config = haproxyConfig({
    commandApiPort: 7000,
    queryApiPort: 7001,
    postgresPort: 7002,
    statsPort: 7003,
    commandApis: [
      { name: 'command-api-1', port: 8001 },
      { name: 'command-api-2', port: 8002 },
    ],
    queryApis: [{ name: 'query-api-1', port: 8101 }],
    postgres: [
      { name: 'pg-a', port: 5501, checkPort: 9501 },
      { name: 'pg-b', port: 5502, checkPort: 9502 },
    ],
  });
  const section = (name: string) => config.split('\n\n').find((block) => block.startsWith(name)) ?? '';

  it('balances the APIs round-robin with no stickiness, each checked on /readyz', () => {
    expect(section('backend command-api')).toContain('balance roundrobin');
    expect(section('backend command-api')).toContain('option httpchk GET /readyz');
    expect(section('backend command-api')).toContain('server command-api-2 127.0.0.1:8002 check');
    expect(config).not.toMatch(/stick|cookie/);
  });

  it('sends Postgres connections only to the server whose agent says primary, and cuts sessions to one marked down', () => {
    const postgres = section('listen postgres');
    expect(postgres).toContain('mode tcp');
    expect(postgres).toContain('option httpchk GET /primary');
    expect(postgres).toContain('server pg-b 127.0.0.1:5502 check port 9502');
    expect(postgres).toContain('on-marked-down shutdown-sessions');
  });
});
