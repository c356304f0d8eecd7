import { describe, it, expect } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { ERASED_TEXT, SealedText, isSealedText, parseSealedText, personalFieldContext, formatSealedText } from '@reelay/contracts';
import { KEY_BYTES, PersonalDataTampered, newDataKey, openSealedText, sealText, unwrapDataKey, wrapDataKey } from './cipher';
import { KeyCache } from './keyCache';

const videoId = randomUUID();
const keyId = randomUUID();
const context = personalFieldContext(videoId, 'title');

/** Flips one bit of a base64url part. */
function flipped(part: string): string {
  const bytes = Buffer.from(part, 'base64url');
  bytes[0] = (bytes[0] as number) ^ 1;
  return bytes.toString('base64url');
}

describe('sealing personal text with AES-256-GCM', () => {
  const key = newDataKey();

  it('opens what it sealed, unicode included, and the envelope names its version and key', () => {
    const title = 'Urlaub in Lissabon 🎬 – día 1';
    const sealed = sealText(key, keyId, title, context);
    expect(SealedText.safeParse(sealed).success).toBe(true);
    const parts = parseSealedText(sealed)!;
    expect(parts).toMatchObject({ version: 1, keyId });
    expect(sealed).not.toContain('Lissabon');
    expect(openSealedText(key, parts, context)).toBe(title);
  });

  it('seals the same text differently each time (a fresh iv)', () => {
    expect(sealText(key, keyId, 'Holiday', context)).not.toBe(sealText(key, keyId, 'Holiday', context));
  });

  it('seals and opens an empty string', () => {
    expect(openSealedText(key, parseSealedText(sealText(key, keyId, '', context))!, context)).toBe('');
  });

  it('detects an edited ciphertext, iv or tag', () => {
    const parts = parseSealedText(sealText(key, keyId, 'Holiday', context))!;
    expect(() => openSealedText(key, { ...parts, ciphertext: flipped(parts.ciphertext) }, context)).toThrow(PersonalDataTampered);
    expect(() => openSealedText(key, { ...parts, iv: flipped(parts.iv) }, context)).toThrow(PersonalDataTampered);
    expect(() => openSealedText(key, { ...parts, tag: flipped(parts.tag) }, context)).toThrow(PersonalDataTampered);
  });

  it('refuses a ciphertext moved to another video or another field', () => {
    const parts = parseSealedText(sealText(key, keyId, 'Holiday', context))!;
    expect(() => openSealedText(key, parts, personalFieldContext(randomUUID(), 'title'))).toThrow(PersonalDataTampered);
    expect(() => openSealedText(key, parts, personalFieldContext(videoId, 'fileName'))).toThrow(PersonalDataTampered);
  });

  it('refuses to open with another key', () => {
    const parts = parseSealedText(sealText(key, keyId, 'Holiday', context))!;
    expect(() => openSealedText(newDataKey(), parts, context)).toThrow(PersonalDataTampered);
  });

  it('refuses an envelope version it does not know', () => {
    const parts = parseSealedText(sealText(key, keyId, 'Holiday', context))!;
    expect(() => openSealedText(key, { ...parts, version: 2 }, context)).toThrow(PersonalDataTampered);
  });
});

describe('wrapping data keys with the key-encryption key', () => {
  const kek = newDataKey();

  it('unwraps the key it wrapped', () => {
    const dataKey = newDataKey();
    const wrapped = wrapDataKey(kek, dataKey, 'ctx');
    expect(wrapped.includes(dataKey)).toBe(false);
    expect(unwrapDataKey(kek, wrapped, 'ctx').equals(dataKey)).toBe(true);
    expect(dataKey.length).toBe(KEY_BYTES);
  });

  it('refuses another KEK, another context, or an edited byte', () => {
    const wrapped = wrapDataKey(kek, newDataKey(), 'ctx');
    expect(() => unwrapDataKey(newDataKey(), wrapped, 'ctx')).toThrow(PersonalDataTampered);
    expect(() => unwrapDataKey(kek, wrapped, 'other row')).toThrow(PersonalDataTampered);
    const edited = Buffer.from(wrapped);
    edited[edited.length - 1] = (edited[edited.length - 1] as number) ^ 1;
    expect(() => unwrapDataKey(kek, edited, 'ctx')).toThrow(PersonalDataTampered);
  });
});

describe('telling sealed text from plaintext', () => {
  it('takes plaintext written before sealing for what it is, even when it looks a little like an envelope', () => {
    expect(isSealedText('Holiday')).toBe(false);
    expect(isSealedText('sealed:v1:my holiday')).toBe(false);
    expect(isSealedText(ERASED_TEXT)).toBe(false);
    expect(parseSealedText('holiday.mp4')).toBeUndefined();
  });

  it('formats and parses the same parts', () => {
    const parts = { version: 1, keyId, iv: 'A'.repeat(16), ciphertext: 'abc_-', tag: 'B'.repeat(22) };
    expect(parseSealedText(formatSealedText(parts))).toEqual(parts);
  });
});

describe('the key cache', () => {
  const entry = (keyId: string, userId = 'u') => ({ keyId, userId, key: Buffer.alloc(32) });

  it('drops a live key after its time to live but remembers a destroyed one for good', () => {
    let now = 0;
    const cache = new KeyCache({ maxEntries: 10, ttlMs: 1000, now: () => now });
    cache.set('live', entry('live'));
    cache.set('gone', { keyId: 'gone', userId: 'u', key: null });
    now = 999;
    expect(cache.get('live')).toBeDefined();
    now = 1000;
    expect(cache.get('live')).toBeUndefined();
    now = 10 ** 12;
    expect(cache.get('gone')).toEqual({ keyId: 'gone', userId: 'u', key: null });
  });

  it('keeps at most its size, dropping the least recently used', () => {
    const cache = new KeyCache({ maxEntries: 2, ttlMs: 60_000 });
    cache.set('a', entry('a'));
    cache.set('b', entry('b'));
    cache.get('a');
    cache.set('c', entry('c'));
    expect([cache.get('a'), cache.get('b'), cache.get('c')].map(Boolean)).toEqual([true, false, true]);
  });

  it('evicts every key of one user', () => {
    const cache = new KeyCache({ maxEntries: 10, ttlMs: 60_000 });
    cache.set('a', entry('a', 'alice'));
    cache.set('b', entry('b', 'bob'));
    cache.evictUser('alice');
    expect(cache.size).toBe(1);
    expect(cache.get('b')).toBeDefined();
  });
});
