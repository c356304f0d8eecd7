import { describe, it, expect } from '@jest/globals';
import type { VideoState, VideoStatus } from '@reelay/contracts';
import { decideStagedFile } from './decideStagedFile';

const NAME = '6f1c1f0e-8a4b-4c3e-9a53-2f1d2f3c4b5a-0a1b2c3d';
const VIDEO = '6f1c1f0e-8a4b-4c3e-9a53-2f1d2f3c4b5a';

const state = (status: VideoStatus, stagingRef = `file:///var/staging/${NAME}`) => ({ status, stagingRef }) as VideoState;

describe('which staged files the sweeper removes', () => {
  it.each(['PENDING', 'LOADING', 'FAILED'] as const)('keeps the file of a %s video', (status) => {
    expect(decideStagedFile(NAME, VIDEO, state(status))).toEqual({ remove: false });
  });

  it.each([
    ['a file no event refers to', NAME, VIDEO, undefined, /no event/],
    ['a file not named after a video', 'something-else', undefined, undefined, /name/],
    ['a file its video does not refer to', NAME, VIDEO, state('PENDING', 'file:///var/staging/other-name'), /another/],
    ['the file of an UPLOADED video', NAME, VIDEO, state('UPLOADED'), /stored/],
    ['the file of a DELETED video', NAME, VIDEO, state('DELETED'), /deleted/],
  ])('removes %s', (_name, name, videoId, videoState, reason) => {
    const decision = decideStagedFile(name, videoId, videoState);
    expect(decision.remove).toBe(true);
    expect(decision.remove && decision.reason).toMatch(reason);
  });

  it('compares file names, not whole refs: another spelling of the same folder still refers to the file', () => {
    expect(decideStagedFile(NAME, VIDEO, state('PENDING', `file:///mnt/other-mount/${NAME}`))).toEqual({ remove: false });
  });
});
