import { describe, it, expect, jest } from '@jest/globals';
import { PassThrough } from 'node:stream';
import { run } from './main';

/** Only what is decided before any connection is opened: usage errors and the placeholders' refusal. */
async function exitCode(...args: string[]): Promise<{ code: number; stderr: string }> {
  const stderr = new PassThrough();
  let text = '';
  stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const writeErr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const writeOut = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    return { code: await run(['node', 'reelay', ...args], stderr), stderr: text };
  } finally {
    writeErr.mockRestore();
    writeOut.mockRestore();
  }
}

describe('the reelay command line', () => {
  it('exits 2 on a missing argument, an unknown command or option, and a bad option value', async () => {
    expect((await exitCode('stream')).code).toBe(2);
    expect((await exitCode('frobnicate')).code).toBe(2);
    expect((await exitCode('log', '--colour')).code).toBe(2);
    expect((await exitCode('log', '--limit', '0')).code).toBe(2);
    expect((await exitCode('log', '--from', 'yesterday')).code).toBe(2);
  });

  it('exits 2 with the reason when a video id is not a UUID', async () => {
    expect(await exitCode('stream', 'not-a-uuid')).toEqual({ code: 2, stderr: 'reelay: stream: "not-a-uuid" is not a video id (a UUID)\n' });
  });

  it('exits 0 for help', async () => {
    expect((await exitCode('--help')).code).toBe(0);
    expect((await exitCode('verify', '--help')).code).toBe(0);
  });
});
