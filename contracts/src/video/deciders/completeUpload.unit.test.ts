import { describe, it } from '@jest/globals';
import { BUCKET, OBJECT_KEY, deciderSpec, events } from '../../testing/deciderSpec';
import { decideCompleteUpload } from './completeUpload';

const spec = deciderSpec(decideCompleteUpload);
const complete = (attempt: number, startedAtMs = 10_000, completedAtMs = 10_005) => ({ attempt, bucket: BUCKET, objectKey: OBJECT_KEY, etag: 'etag-1', startedAtMs, completedAtMs });

describe('completing an upload', () => {
  it('takes the live attempt to UPLOADED with the announced size and the time it took', () => {
    spec.given(events.requested(), events.started(1), events.progress(1)).when(complete(1)).thenEvents([events.completed(1)]);
  });

  it('never records a negative duration when the clock stepped back', () => {
    spec
      .given(events.requested(), events.started(1))
      .when(complete(1, 10_000, 9_000))
      .thenEvents([{ ...events.completed(1), data: { ...events.completed(1).data, durationMs: 0 } }]);
  });

  it('completes nothing for an attempt another one has overtaken', () => {
    spec.given(events.requested(), events.started(1), events.started(2)).when(complete(1)).thenNothing();
  });

  it('completes nothing once the video is deleted', () => {
    spec.given(events.requested(), events.started(1), events.deleted()).when(complete(1)).thenNothing();
  });

  it('completes nothing twice', () => {
    spec.given(events.requested(), events.started(1), events.completed(1)).when(complete(1)).thenNothing();
  });
});
