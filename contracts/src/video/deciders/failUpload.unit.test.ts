import { describe, it } from '@jest/globals';
import { deciderSpec, events } from '../../testing/deciderSpec';
import { decideFailAbandonedUpload, decideFailUpload } from './failUpload';

describe('failing an upload', () => {
  const spec = deciderSpec(decideFailUpload);
  const fail = (attempt: number) => ({ attempt, code: 'STORAGE_HTTP_503', reason: 'object storage answered 503', retryable: true });

  it('takes the live attempt to FAILED with its code and reason', () => {
    spec.given(events.requested(), events.started(1)).when(fail(1)).thenEvents([events.failed(1)]);
  });

  it('fails nothing for an attempt another one has overtaken', () => {
    spec.given(events.requested(), events.started(1), events.started(2)).when(fail(1)).thenNothing();
  });

  it('fails nothing once the video is deleted or uploaded', () => {
    spec.given(events.requested(), events.started(1), events.deleted()).when(fail(1)).thenNothing();
    spec.given(events.requested(), events.started(1), events.completed(1)).when(fail(1)).thenNothing();
  });
});

describe('failing an upload nobody works on', () => {
  const spec = deciderSpec(decideFailAbandonedUpload);
  const abandoned = { idleMs: 900_000 };

  it('fails a LOADING video at its live attempt, retryably, saying how long it sat idle', () => {
    spec
      .given(events.requested(), events.started(1), events.started(2))
      .when(abandoned)
      .thenEvents([
        {
          type: 'UploadFailed',
          data: { attempt: 2, code: 'UPLOAD_ABANDONED', retryable: true, reason: 'no uploader worked on attempt 2 for 900 s (its job is gone); retry to upload it again' },
        },
      ]);
  });

  it.each([
    ['PENDING', [events.requested()]],
    ['UPLOADED', [events.requested(), events.started(1), events.completed(1)]],
    ['FAILED', [events.requested(), events.started(1), events.failed(1)]],
    ['DELETED', [events.requested(), events.started(1), events.deleted()]],
    ['unknown', []],
  ])('fails nothing for a %s video', (_status, history) => {
    spec.given(...history).when(abandoned).thenNothing();
  });
});
