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
  // An AWS access key id.
  [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/g, '[redacted-aws-key-id]'],
];

/** Query parameters whose values are credentials (pre-signed S3 URLs included), by lower-cased decoded name. */
const CREDENTIAL_PARAMETERS = new Set([
  'access_token', 'id_token', 'refresh_token', 'token', 'api_key', 'apikey', 'secret', 'password',
  'x-amz-signature', 'x-amz-credential', 'x-amz-security-token',
]);
/**
 * The user's own words in an upload URL (`POST /v1/videos?title=…&fileName=…`): personal data,
 * which `reelay forget-user` must be able to erase, and logs cannot be erased.
 */
const PERSONAL_PARAMETERS = new Set(['title', 'filename']);

/**
 * One `name=value` of a query string as it sits in a JSON log line: after `?` or `&`, a name and a
 * value that may hold JSON escapes (`\"`), up to the next `&`, whitespace or the closing quote.
 */
const QUERY_PARAMETER = /([?&])((?:[^=&?#\s"\\]|\\.)*)=((?:[^&\s"\\]|\\.)*)/g;

/**
 * A parameter name as the query parser (fast-querystring, under fastify) hands it to the route:
 * `+` is a space, percent escapes decoded (left as they are when malformed). So `%74itle` and
 * `t%69tle` are `title`. Compared trimmed and lower-cased, `[]` dropped: scrubbing a look-alike
 * costs nothing, missing one leaks.
 */
export function queryParameterName(raw: string): string {
  let name = raw;
  try {
    name = JSON.parse(`"${raw}"`) as string;
  } catch {
    // Not valid JSON escapes: take it as it is.
  }
  name = name.replace(/\+/g, ' ');
  try {
    name = decodeURIComponent(name);
  } catch {
    // Malformed escapes: the parser keeps the name undecoded too.
  }
  return name.trim().toLowerCase().replace(/\[\]$/, '');
}

/** Every query parameter of `text` whose decoded name is a credential or personal, with its value hidden. */
function scrubQueryParameters(text: string): string {
  return text.replace(QUERY_PARAMETER, (whole, separator: string, name: string, value: string) => {
    if (value === '') return whole;
    const decoded = queryParameterName(name);
    if (CREDENTIAL_PARAMETERS.has(decoded)) return `${separator}${name}=[redacted]`;
    if (PERSONAL_PARAMETERS.has(decoded)) return `${separator}${name}=[personal]`;
    return whole;
  });
}

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
  return scrubQueryParameters(scrubbed);
}
