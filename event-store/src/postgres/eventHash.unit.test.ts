import { describe, it, expect } from '@jest/globals';
import { GENESIS_HASH, canonicalEventText, eventHash, sealStep, type HashedContent } from './eventHash';

const content: HashedContent = {
  eventId: '6c0b1a52-0d7e-4d55-9d61-3c9a0f1f2a10',
  streamName: 'video-1',
  revision: '0',
  type: 'UploadRequested',
  schemaVersion: '1',
  data: '{"title": "Été"}',
  metadata: '{"userId": "u"}',
  recordedAtMicros: '1764331200123456',
};

describe('the event hash', () => {
  it('length-prefixes every field in UTF-8 bytes, after the version tag', () => {
    expect(canonicalEventText(content)).toBe(
      '15:reelay-event-v1' + '36:6c0b1a52-0d7e-4d55-9d61-3c9a0f1f2a10' + '7:video-1' + '1:0' + '15:UploadRequested' + '1:1' + '18:{"title": "Été"}' + '15:{"userId": "u"}' + '16:1764331200123456',
    );
  });

  it('cannot be matched by moving text from one field to the next', () => {
    const moved = { ...content, streamName: 'video-', revision: '10' };
    const original = { ...content, streamName: 'video-1', revision: '0' };
    expect(eventHash(GENESIS_HASH, moved).equals(eventHash(GENESIS_HASH, original))).toBe(false);
  });

  it('changes with every field and with the previous hash', () => {
    const base = eventHash(GENESIS_HASH, content);
    for (const key of Object.keys(content) as (keyof HashedContent)[]) {
      expect(eventHash(GENESIS_HASH, { ...content, [key]: `${content[key]}x` }).equals(base)).toBe(false);
    }
    expect(eventHash(Buffer.alloc(32, 1), content).equals(base)).toBe(false);
  });

  it('is a 32-byte SHA-256 that is the same for the same content', () => {
    expect(eventHash(GENESIS_HASH, content)).toHaveLength(32);
    expect(eventHash(GENESIS_HASH, content).equals(eventHash(GENESIS_HASH, { ...content }))).toBe(true);
  });

  it('seals the place of an event as well as its hash', () => {
    const hash = eventHash(GENESIS_HASH, content);
    const a = sealStep(GENESIS_HASH, { hash, transactionId: '10', position: '11' });
    expect(a.equals(sealStep(GENESIS_HASH, { hash, transactionId: '10', position: '12' }))).toBe(false);
    expect(a.equals(sealStep(GENESIS_HASH, { hash, transactionId: '101', position: '1' }))).toBe(false);
  });
});
