import { ConfigError, loadConfig } from '@reelay/platform';
import { signToken } from '@reelay/platform/auth';

/** `npm run token -- <userId>`: prints a bearer token for local use (development only), signed with the configured secret. */
async function main(): Promise<void> {
  const userId = process.argv[2];
  if (!userId) {
    process.stderr.write('usage: npm run token -- <userId>\n');
    process.exit(2);
  }
  const config = loadConfig();
  // A local convenience: in production tokens come from the identity provider, never from here.
  if (config.RUN_MODE.production) {
    process.stderr.write(`token: refused in production mode (${config.RUN_MODE.reason}): npm run token signs development tokens only\n`);
    process.exit(2);
  }
  if (config.AUTH_JWKS_URL) {
    process.stderr.write('token: AUTH_JWKS_URL is set; tokens come from your identity provider, not from here\n');
    process.exit(2);
  }
  if (!config.AUTH_JWT_SECRET) process.stderr.write('token: signed with the development secret (AUTH_JWT_SECRET is unset)\n');
  process.stdout.write(
    `${await signToken(userId, { secret: config.AUTH_JWT_SECRET, issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`token: ${error instanceof ConfigError || error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
