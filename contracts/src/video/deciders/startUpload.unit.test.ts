import { describe, it } from '@jest/globals';
import { NotFound } from '../../errors';
import { BUCKET, OBJECT_KEY, VIDEO_ID, deciderSpec, events } from '../../testing/deciderSpec';
import { decideStartUpload } from './startUpload';

const spec = deciderSpec(decideStartUpload);
const start = { videoId: VIDEO_ID, bucket: BUCKET, objectKey: OBJECT_KEY };

describe('starting an upload attempt', () => {
  it('takes a PENDING video to LOADING with attempt 1', () => {
    spec.given(events.requested()).when(start).thenEvents([events.started(1)]);
  });

  it('starts the next attempt of a LOADING video whose attempt died', () => {
    spec.given(events.requested(), events.started(1), events.progress(1)).when(start).thenEvents([events.started(2)]);
  });

  it('starts the attempt after the last one once a failed upload is retried', () => {
    spec.given(events.requested(), events.started(1), events.failed(1), events.retryRequested()).when(start).thenEvents([events.started(2)]);
  });

  it('starts nothing for an uploaded video', () => {
    spec.given(events.requested(), events.started(1), events.completed(1)).when(start).thenNothing();
  });

  it('starts nothing for a deleted video', () => {
    spec.given(events.requested(), events.deleted()).when(start).thenNothing();
  });

  it('starts nothing for a failed video until a retry is requested', () => {
    spec.given(events.requested(), events.started(1), events.failed(1)).when(start).thenNothing();
  });

  it('answers NotFound for a video that does not exist', () => {
    spec.given().when(start).thenThrows(NotFound);
  });
});
