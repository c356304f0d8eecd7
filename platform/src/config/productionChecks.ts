import { ConfigError, loadConfig, type Config } from './config';
import { DEVELOPMENT_KEK, isKnownSecret } from './knownSecrets';

type SecurityConfig = Pick<
  Config,
  | 'RUN_MODE'
  | 'AUTH_JWT_SECRET'
  | 'AUTH_JWKS_URL'
  | 'AUTH_ISSUER'
  | 'AUTH_AUDIENCE'
  | 'PERSONAL_DATA_KEK'
  | 'DEMO_TOKENS'
  | 'S3_SECRET_ACCESS_KEY'
  | 'ONESIGNAL_API_KEY'
  | 'DATABASE_URL'
  | 'EVENT_STORE_URL'
>;

const MIN_SECRET_BYTES = 32;

/** A URL's password, if it has one (`postgres://user:password@host/db`). */
function passwordOf(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Why a production run must not start with this configuration, as `VARIABLE what is wrong`; or
 * undefined when it may. Development conveniences are refused here rather than warned about: a
 * service reachable from outside (or told it is production) with the development secret accepts
 * tokens anyone can sign, and with the development KEK an erased title is one backup away.
 * The first problem found is named, in the order an operator would fix them.
 */
export function productionProblem(config: SecurityConfig): string | undefined {
  if (config.DEMO_TOKENS === 'on') return 'DEMO_TOKENS=on signs a token for any name: development only';
  if (!config.AUTH_JWT_SECRET && !config.AUTH_JWKS_URL) return 'AUTH_JWT_SECRET (or AUTH_JWKS_URL) must be set: the development secret is refused';
  if (config.AUTH_JWT_SECRET !== undefined) {
    if (isKnownSecret(config.AUTH_JWT_SECRET)) return 'AUTH_JWT_SECRET is a secret published in the repository (a default or an example): set one of your own';
    if (Buffer.byteLength(config.AUTH_JWT_SECRET, 'utf8') < MIN_SECRET_BYTES) return `AUTH_JWT_SECRET must be at least ${MIN_SECRET_BYTES} bytes`;
  }
  if (config.AUTH_JWKS_URL) {
    // Without them, a token the same identity provider issued for any other app is accepted.
    if (!config.AUTH_ISSUER) return 'AUTH_ISSUER must be set with AUTH_JWKS_URL (the issuer your identity provider puts in `iss`)';
    if (!config.AUTH_AUDIENCE) return 'AUTH_AUDIENCE must be set with AUTH_JWKS_URL (the audience of this API\'s tokens, `aud`)';
  }
  if (!config.PERSONAL_DATA_KEK) return 'PERSONAL_DATA_KEK must be set (32 random bytes in base64: openssl rand -base64 32): the development key is refused';
  if (isKnownSecret(config.PERSONAL_DATA_KEK) || Buffer.from(config.PERSONAL_DATA_KEK, 'base64').equals(DEVELOPMENT_KEK)) {
    return 'PERSONAL_DATA_KEK is a key published in the repository: generate one of your own (openssl rand -base64 32)';
  }
  for (const variable of ['S3_SECRET_ACCESS_KEY', 'ONESIGNAL_API_KEY'] as const) {
    const value = config[variable];
    if (value !== undefined && isKnownSecret(value)) return `${variable} is a secret published in the repository: set one of your own`;
  }
  for (const variable of ['DATABASE_URL', 'EVENT_STORE_URL'] as const) {
    const password = passwordOf(config[variable]);
    if (password !== undefined && isKnownSecret(password)) return `${variable} has a password published in the repository: set one of your own`;
  }
  return undefined;
}

/** What a development run says at start besides its mode: conveniences production would refuse. */
export function developmentWarnings(config: SecurityConfig): string[] {
  if (config.RUN_MODE.production) return [];
  const warnings: string[] = [];
  if (config.AUTH_JWKS_URL && (!config.AUTH_ISSUER || !config.AUTH_AUDIENCE)) {
    warnings.push('AUTH_JWKS_URL is set without AUTH_ISSUER and AUTH_AUDIENCE: tokens your identity provider issued for other apps are accepted (production refuses to start so)');
  }
  if (config.DEMO_TOKENS === 'on') warnings.push('DEMO_TOKENS=on: the demo page signs a token for any name (POST /demo/token)');
  return warnings;
}

/**
 * The configuration of a service process: `loadConfig`, then, in production, the checks above.
 * Throws ConfigError with one line naming the variable, which runService prints before exiting.
 */
export function loadServiceConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const config = loadConfig(env);
  if (!config.RUN_MODE.production) return config;
  const problem = productionProblem(config);
  if (problem) throw new ConfigError(`refused in production mode (${config.RUN_MODE.reason}): ${problem}`);
  return config;
}
