import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SEALED_TEXT_VERSION, formatSealedText, type SealedText, type SealedTextParts } from '@reelay/contracts';

/**
 * AES-256-GCM from Node's `crypto`, nothing of our own: a fresh random 96-bit IV per message (the
 * size GCM is built for), the 128-bit tag checked on every open, and associated data binding a
 * ciphertext to where it belongs. A key never encrypts near 2^32 messages (one per personal field
 * a user types), so random IVs are safe.
 */
const ALGORITHM = 'aes-256-gcm';
export const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A ciphertext that does not open with its key and context: edited, moved, or the wrong key. */
export class PersonalDataTampered extends Error {
  override readonly name = 'PersonalDataTampered';
}

function encrypt(key: Buffer, plaintext: Buffer, context: string): { iv: Buffer; ciphertext: Buffer; tag: Buffer } {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, ciphertext, tag: cipher.getAuthTag() };
}

function decrypt(key: Buffer, parts: { iv: Buffer; ciphertext: Buffer; tag: Buffer }, context: string, what: string): Buffer {
  if (parts.iv.length !== IV_BYTES || parts.tag.length !== TAG_BYTES) throw new PersonalDataTampered(`${what} has a malformed iv or tag`);
  const decipher = createDecipheriv(ALGORITHM, key, parts.iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(parts.tag);
  try {
    return Buffer.concat([decipher.update(parts.ciphertext), decipher.final()]);
  } catch (error) {
    throw new PersonalDataTampered(`${what} does not open: it was altered, moved, or sealed with another key`, { cause: error });
  }
}

/** Seals `plaintext` with a user's data key; `context` is the associated data (see personalFieldContext). */
export function sealText(key: Buffer, keyId: string, plaintext: string, context: string): SealedText {
  const { iv, ciphertext, tag } = encrypt(key, Buffer.from(plaintext, 'utf8'), context);
  return formatSealedText({
    version: SEALED_TEXT_VERSION,
    keyId,
    iv: iv.toString('base64url'),
    ciphertext: ciphertext.toString('base64url'),
    tag: tag.toString('base64url'),
  });
}

/** Opens a sealed value; throws PersonalDataTampered when it does not authenticate. */
export function openSealedText(key: Buffer, parts: SealedTextParts, context: string): string {
  if (parts.version !== SEALED_TEXT_VERSION) throw new PersonalDataTampered(`sealed text of version ${parts.version} is not known here`);
  const plaintext = decrypt(
    key,
    { iv: Buffer.from(parts.iv, 'base64url'), ciphertext: Buffer.from(parts.ciphertext, 'base64url'), tag: Buffer.from(parts.tag, 'base64url') },
    context,
    'a sealed personal field',
  );
  return plaintext.toString('utf8');
}

/** A new random data key. */
export function newDataKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/** Wraps a data key with the key-encryption key: `iv ‖ tag ‖ ciphertext`, bound to `context`. */
export function wrapDataKey(kek: Buffer, dataKey: Buffer, context: string): Buffer {
  const { iv, ciphertext, tag } = encrypt(kek, dataKey, context);
  return Buffer.concat([iv, tag, ciphertext]);
}

/** Unwraps what wrapDataKey made; throws PersonalDataTampered on a wrong key, context or byte. */
export function unwrapDataKey(kek: Buffer, wrapped: Buffer, context: string): Buffer {
  const parts = { iv: wrapped.subarray(0, IV_BYTES), tag: wrapped.subarray(IV_BYTES, IV_BYTES + TAG_BYTES), ciphertext: wrapped.subarray(IV_BYTES + TAG_BYTES) };
  const key = decrypt(kek, parts, context, 'a wrapped data key');
  if (key.length !== KEY_BYTES) throw new PersonalDataTampered('a wrapped data key is not 32 bytes');
  return key;
}
