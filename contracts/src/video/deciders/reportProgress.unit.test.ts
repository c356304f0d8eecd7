import { describe, it } from '@jest/globals';
import { deciderSpec, events } from '../../testing/deciderSpec';
import { decideReportProgress } from './reportProgress';

const spec = deciderSpec(decideReportProgress);
const progress = (attempt: number) => ({ attempt, uploadedBytes: 400, totalBytes: 1000, percentage: 40 });

describe('reporting progress', () => {
  it('records the live attempt’s progress', () => {
    spec.given(events.requested(), events.started(1)).when(progress(1)).thenEvents([events.progress(1, 40)]);
  });

  it('records nothing for an attempt another one has overtaken', () => {
    spec.given(events.requested(), events.started(1), events.started(2)).when(progress(1)).thenNothing();
  });

  it('records nothing once the video is deleted', () => {
    spec.given(events.requested(), events.started(1), events.deleted()).when(progress(1)).thenNothing();
  });
});
