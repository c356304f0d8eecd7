import { describe, it } from '@jest/globals';
import { Conflict, NotFound } from '../../errors';
import { OWNER, VIDEO_ID, deciderSpec, events } from '../../testing/deciderSpec';
import { decideRetryUpload } from './retryUpload';

const spec = deciderSpec(decideRetryUpload);
const retry = { videoId: VIDEO_ID, userId: OWNER };

describe('retrying an upload', () => {
  it('takes a FAILED video back to PENDING', () => {
    spec.given(events.requested(), events.started(1), events.failed(1)).when(retry).thenEvents([events.retryRequested()]);
  });

  it.each([
    ['PENDING', [events.requested()]],
    ['LOADING', [events.requested(), events.started(1)]],
    ['UPLOADED', [events.requested(), events.started(1), events.completed(1)]],
    ['DELETED', [events.requested(), events.deleted()]],
  ])('refuses a %s video with a conflict', (_status, history) => {
    spec.given(...history).when(retry).thenThrows(Conflict);
  });

  it('answers NotFound for a missing video and for another user’s video alike', () => {
    spec.given().when(retry).thenThrows(NotFound);
    spec.given(events.requested(), events.started(1), events.failed(1)).when({ ...retry, userId: 'bob' }).thenThrows(NotFound);
  });
});
