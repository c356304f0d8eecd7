import { describe, it } from '@jest/globals';
import { Conflict } from '../../errors';
import { META, OWNER, VIDEO_ID, deciderSpec, events } from '../../testing/deciderSpec';
import { decideRequestUpload } from './requestUpload';

const spec = deciderSpec(decideRequestUpload);
const request = { videoId: VIDEO_ID, userId: OWNER, metaInfo: META, stagingRef: `file:///staging/${VIDEO_ID}` };

describe('requesting an upload', () => {
  it('opens an empty stream with UploadRequested (PENDING)', () => {
    spec.given().when(request).thenEvents([events.requested()]);
  });

  it('refuses a second request for the same video with a conflict', () => {
    spec.given(events.requested()).when(request).thenThrows(Conflict);
  });
});
