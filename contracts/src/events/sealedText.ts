import { z } from 'zod';

/**
 * Personal data in events (whatever a user typed: a video's title, its file name) is stored
 * sealed: encrypted with a data key of that user's own, kept outside the log, so that destroying
 * the key erases the data everywhere while the log itself is never rewritten (crypto-shredding).
 *
 * A sealed value is a string, so every schema that said `string` still holds and an event written
 * before sealing existed (plaintext) reads as it always did: readers tell the two apart by shape.
 * The compact form, like a JWE's, is
 *
 *     sealed:v1:<keyId>:<iv>:<ciphertext>:<tag>
 *
 * with the key's id a UUID and iv (12 bytes), ciphertext and GCM tag (16 bytes) in base64url.
 * `contracts` only describes the envelope; sealing and opening (and the keys) live in platform.
 */
export const SEALED_TEXT_VERSION = 1;

const BASE64URL = '[A-Za-z0-9_-]';
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
/** Strict on purpose: a plaintext title that merely starts with "sealed:" is not mistaken for one. */
const SEALED_TEXT_PATTERN = new RegExp(`^sealed:v(\\d+):(${UUID}):(${BASE64URL}{16}):(${BASE64URL}*):(${BASE64URL}{22})$`);

/** The parts of a sealed value; binary parts are base64url, as they are written. */
export interface SealedTextParts {
  readonly version: number;
  readonly keyId: string;
  readonly iv: string;
  readonly ciphertext: string;
  readonly tag: string;
}

/** A sealed value, validated as such (the schema of the envelope). */
export const SealedText = z.string().regex(SEALED_TEXT_PATTERN, 'must be sealed:v<version>:<keyId>:<iv>:<ciphertext>:<tag>');
export type SealedText = z.infer<typeof SealedText>;

/** The parts of `value` when it is a sealed value, else undefined (plaintext from before sealing). */
export function parseSealedText(value: string): SealedTextParts | undefined {
  const match = SEALED_TEXT_PATTERN.exec(value);
  if (!match) return undefined;
  const [, version, keyId, iv, ciphertext, tag] = match as unknown as [string, string, string, string, string, string];
  return { version: Number(version), keyId, iv, ciphertext, tag };
}

export function isSealedText(value: string): boolean {
  return SEALED_TEXT_PATTERN.test(value);
}

export function formatSealedText(parts: SealedTextParts): SealedText {
  return `sealed:v${parts.version}:${parts.keyId}:${parts.iv}:${parts.ciphertext}:${parts.tag}` as SealedText;
}

/**
 * What a reader shows for a personal field it can no longer open: the user was forgotten (the
 * key is destroyed), or the field was written in plaintext before sealing existed by a user
 * forgotten since. The read model holds exactly this after `reelay forget-user`, so a replay of
 * the log gives the same rows as the scrubbed ones.
 */
export const ERASED_TEXT = '[erased]';

/** The user-typed fields of `UploadRequested.data.metaInfo`: sealed when written, opened when read. */
export const PERSONAL_META_INFO_FIELDS = ['title', 'fileName'] as const;
export type PersonalMetaInfoField = (typeof PERSONAL_META_INFO_FIELDS)[number];

/**
 * The associated data a personal field is sealed with: it binds the ciphertext to its video and
 * field, so a sealed title copied into another event, or into the file name, fails to open.
 */
export function personalFieldContext(videoId: string, field: PersonalMetaInfoField): string {
  return `reelay:UploadRequested:${videoId}:metaInfo.${field}`;
}
