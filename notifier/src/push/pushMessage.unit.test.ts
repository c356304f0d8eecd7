import { describe, it, expect } from '@jest/globals';
import { pushMessage } from './pushMessage';
import type { Push } from './pushSender';

const push: Push = { userId: 'alice', videoId: 'v-1', kind: 'UPLOAD_COMPLETED', title: 'Holiday', idempotencyKey: 'e-1' };

describe('pushMessage', () => {
  it('tells the user a completed video is ready, naming it', () => {
    expect(pushMessage(push)).toEqual({
      heading: 'Your video is ready',
      content: '"Holiday" has been uploaded.',
      data: { videoId: 'v-1', status: 'UPLOADED' },
    });
  });

  it('tells the user a failed video could not be uploaded, naming it', () => {
    const message = pushMessage({ ...push, kind: 'UPLOAD_FAILED' });
    expect(message.heading).toBe('Your video could not be uploaded');
    expect(message.content).toContain('"Holiday"');
    expect(message.data).toEqual({ videoId: 'v-1', status: 'FAILED' });
  });
});
