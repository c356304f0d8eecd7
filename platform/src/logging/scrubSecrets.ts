/** The environment variables whose values are secrets, and are scrubbed from every log line. */
export const SECRET_VARIABLES = ['AUTH_JWT_SECRET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY', 'ONESIGNAL_API_KEY', 'PERSONAL_DATA_KEK'] as const;

/**
 * Shorter values are not scrubbed by value: a four-letter secret would mangle ordinary words in
 * every line (and is no secret anyway). Path redaction still covers them.
 */
const MIN_SCRUBBED_LENGTH = 8;

/** Secret-shaped text, whatever field it sits in. Each keeps its label and hides the value. */
const PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  // A JWT: three base64url parts, the first one a JSON header ("eyJ" is `{"` encoded).
  [/eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*/g, '[redacted-jwt]'],
  // Authorization header values quoted in a message: `Bearer …`, `Basic …`, OneSignal's `Key …`.
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 [redacted]'],
  [/\bKey\s+[A-Za-z0-9._~+/=-]{20,}/g, 'Key [redacted]'],
  // A password inside a URL: postgres://user:password@host, nats://user:password@host.
  [/([a-z][a-z0-9+.-]*:\/\/[^:/@\s"]*:)[^@/\s"]+@/gi, '$1[redacted]@'],
  // Credentials passed as query parameters, including pre-signed S3 URLs.
  [
    /([?&](?:access_token|id_token|refresh_token|token|api_key|apikey|secret|password|X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token)=)[^&\s"#\\]*/gi,
    '$1[redacted]',
  ],
  // The user's own words in an upload URL (`POST /v1/videos?title=…&fileName=…`): personal data,
  // which `reelay forget-user` must be able to erase, and logs cannot be erased.
  [/([?&](?:title|fileName|filename)=)[^&\s"#\\]*/g, '$1[personal]'],
  // An AWS access key id.
  [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/g, '[redacted-aws-key-id]'],
];

/** The values of the secret variables set in `env`, long enough to scrub without harm. */
export function secretValuesOf(env: NodeJS.ProcessEnv): string[] {
  return SECRET_VARIABLES.map((name) => env[name]).filter((value): value is string => typeof value === 'string' && value.length >= MIN_SCRUBBED_LENGTH);
}

/**
 * One serialized log line with every secret-shaped text and every known secret value replaced.
 * Values are also matched as they appear once JSON-escaped, since the line is JSON.
 */
export function scrubSecrets(line: string, secrets: readonly string[] = []): string {
  let scrubbed = line;
  for (const secret of secrets) {
    if (secret.length < MIN_SCRUBBED_LENGTH) continue;
    scrubbed = scrubbed.replaceAll(secret, '[redacted]');
    const escaped = JSON.stringify(secret).slice(1, -1);
    if (escaped !== secret) scrubbed = scrubbed.replaceAll(escaped, '[redacted]');
  }
  for (const [pattern, replacement] of PATTERNS) scrubbed = scrubbed.replace(pattern, replacement);
  return scrubbed;
}
