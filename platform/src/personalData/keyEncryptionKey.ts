import { createHash } from 'node:crypto';
import type { Config } from '../config/config';
import { DEVELOPMENT_KEK } from '../config/knownSecrets';

/**
 * The key-encryption key (KEK): every user's data key is stored wrapped with it, so a copy of the
 * key table (a dump, a backup) alone opens nothing. It comes from `PERSONAL_DATA_KEK`; its id, a
 * hash prefix stored beside each wrapped key, tells a wrong KEK apart from tampering.
 */
export interface KeyEncryptionKey {
  readonly key: Buffer;
  /** The first 16 hex digits of SHA-256 over the key: names it without revealing it. */
  readonly id: string;
  /** True when `PERSONAL_DATA_KEK` is unset and the development key is used. */
  readonly development: boolean;
}


export function keyEncryptionKeyFrom(config: Pick<Config, 'PERSONAL_DATA_KEK'>): KeyEncryptionKey {
  const key = config.PERSONAL_DATA_KEK ? Buffer.from(config.PERSONAL_DATA_KEK, 'base64') : DEVELOPMENT_KEK;
  return { key, id: createHash('sha256').update(key).digest('hex').slice(0, 16), development: !config.PERSONAL_DATA_KEK };
}

/** The warning a service logs at start when it runs on the development KEK. */
export const DEVELOPMENT_KEK_WARNING =
  'PERSONAL_DATA_KEK is unset: personal-data keys are wrapped with the development key-encryption key (set 32 random bytes in base64 in production)';
