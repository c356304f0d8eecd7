import { describe, it } from '@jest/globals';
import { NotFound } from '../../errors';
import { OWNER, VIDEO_ID, deciderSpec, events } from '../../testing/deciderSpec';
import { decideDeleteVideo } from './deleteVideo';

const spec = deciderSpec(decideDeleteVideo);
const remove = { videoId: VIDEO_ID, userId: OWNER };

describe('deleting a video', () => {
  it.each([
    ['PENDING', [events.requested()]],
    ['LOADING', [events.requested(), events.started(1)]],
    ['UPLOADED', [events.requested(), events.started(1), events.completed(1)]],
    ['FAILED', [events.requested(), events.started(1), events.failed(1)]],
  ])('takes a %s video to DELETED', (_status, history) => {
    spec.given(...history).when(remove).thenEvents([events.deleted()]);
  });

  it('deletes nothing twice, without an error', () => {
    spec.given(events.requested(), events.deleted()).when(remove).thenNothing();
  });

  it('answers NotFound for a missing video and for another user’s video alike', () => {
    spec.given().when(remove).thenThrows(NotFound);
    spec.given(events.requested()).when({ ...remove, userId: 'bob' }).thenThrows(NotFound);
  });
});
