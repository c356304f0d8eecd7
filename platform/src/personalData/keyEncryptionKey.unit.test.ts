import { describe, it, expect } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { loadConfig } from '../config/config';
import { createLogger } from '../logging/logger';
import { secretValuesOf } from '../logging/scrubSecrets';
import { keyEncryptionKeyFrom } from './keyEncryptionKey';

describe('the key-encryption key from configuration', () => {
  it('takes 32 bytes of base64 from PERSONAL_DATA_KEK', () => {
    const value = randomBytes(32).toString('base64');
    const kek = keyEncryptionKeyFrom(loadConfig({ PERSONAL_DATA_KEK: value }));
    expect(kek.key.equals(Buffer.from(value, 'base64'))).toBe(true);
    expect(kek.development).toBe(false);
    expect(kek.id).toMatch(/^[0-9a-f]{16}$/);
  });

  it('refuses a key of another length, naming the variable', () => {
    expect(() => loadConfig({ PERSONAL_DATA_KEK: randomBytes(16).toString('base64') })).toThrow(/PERSONAL_DATA_KEK must be 32 bytes in base64/);
    expect(() => loadConfig({ PERSONAL_DATA_KEK: 'not base64 at all!' })).toThrow(/PERSONAL_DATA_KEK/);
  });

  it('falls back to the development key, says so, and names it the same way every time', () => {
    const a = keyEncryptionKeyFrom(loadConfig({}));
    const b = keyEncryptionKeyFrom(loadConfig({}));
    expect(a.development).toBe(true);
    expect(a.id).toBe(b.id);
    expect(a.id).not.toBe(keyEncryptionKeyFrom(loadConfig({ PERSONAL_DATA_KEK: randomBytes(32).toString('base64') })).id);
  });

  it('never writes the KEK to the log, neither as the configuration nor as a value elsewhere', () => {
    const value = randomBytes(32).toString('base64');
    let output = '';
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        output += chunk.toString();
        callback();
      },
    });
    const logger = createLogger('test', 'info', { destination, secrets: secretValuesOf({ PERSONAL_DATA_KEK: value }) });
    logger.info({ config: loadConfig({ PERSONAL_DATA_KEK: value }) }, 'configuration');
    logger.info(`a message that quotes ${value} by mistake`);
    expect(output).toContain('PERSONAL_DATA_KEK');
    expect(output).not.toContain(value);
  });
});
