import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { eventually } from '@reelay/testing';
import type { VideoId } from '@reelay/contracts';
import { BAD_INPUT_CASES } from './badInputCases';
import { RATE_LIMIT_MAX, type Reply } from './badInputKit';
import { startSecurityHarness, type SecurityHarness } from './securityHarness';

const PROBLEM_KEYS = ['detail', 'status', 'title', 'type'];
/** What a stack trace or a source location looks like in a body. */
const INTERNALS = /\n\s+at |\bat [\w.<>]+ \(|node_modules|\.[jt]s:\d+|Error:/;

function expectProblem(reply: Reply, status: number): void {
  expect(reply.status).toBe(status);
  expect(reply.header('content-type')).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(reply.body) as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(PROBLEM_KEYS);
  expect(body).toMatchObject({ status, type: expect.stringMatching(/^https:\/\/reelay\.dev\/problems\/[a-z-]+$/) });
  expect(typeof body.title === 'string' && body.title.length > 0).toBe(true);
  expect(typeof body.detail === 'string' && body.detail.length > 0).toBe(true);
  expect(reply.body).not.toMatch(INTERNALS);
}

describe('bad input on both APIs', () => {
  let h: SecurityHarness;
  let aliceVideo: VideoId;
  let recordedBefore: number;

  beforeAll(async () => {
    h = await startSecurityHarness({ rateLimitMax: RATE_LIMIT_MAX });
    aliceVideo = await h.recordVideo('alice');
    recordedBefore = await h.eventCount();
  });
  afterAll(async () => {
    await h?.dispose();
  });

  it('has at least 40 cases, on both APIs', () => {
    expect(BAD_INPUT_CASES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(BAD_INPUT_CASES.map((c) => c.api))).toEqual(new Set(['command', 'query']));
    expect(new Set(BAD_INPUT_CASES.map((c) => c.name)).size).toBe(BAD_INPUT_CASES.length);
  });

  it.each(BAD_INPUT_CASES.map((c, index) => [c.api, c.name, c.status === null ? 'no answer (the client is gone)' : `${c.status} problem+json`, index] as const))(
    '%s API, %s → %s; nothing recorded, staging empty',
    async (_api, _name, _status, index) => {
      const badInput = BAD_INPUT_CASES[index]!;
      const reply = await badInput.send({ h, user: `case-${index}`, aliceVideo });

      if (badInput.status === null) {
        expect(reply).toBeNull();
      } else {
        expect(reply).not.toBeNull();
        expectProblem(reply!, badInput.status);
        badInput.check?.(reply!);
      }
      // The server may still be cleaning up after a client that went away.
      await eventually(async () => expect(await h.stagingFiles()).toEqual([]));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await h.eventCount()).toBe(recordedBefore);
    },
  );

  it('logged an error only for the full disk, which an operator has to see', () => {
    const errors = h
      .logs()
      .split('\n')
      .filter((line) => line.includes('"level":50'))
      .map((line) => (JSON.parse(line) as { err: { status?: number } }).err.status);
    expect(errors).toEqual([507]);
  });
});
