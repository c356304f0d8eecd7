import { ConfigError, loadConfig } from '@reelay/platform';

/** The message `loadConfig` refuses `env` with; throws when it accepts it, or fails in another way. */
export function configRefusal(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}
