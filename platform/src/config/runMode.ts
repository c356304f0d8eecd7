/**
 * Production or development, decided once from the environment. Production is what a deployment
 * is, whether or not it says so: `NODE_ENV=production`, or a service listening beyond loopback
 * (`HOST=0.0.0.0`, a public address), where strangers can reach it. Development conveniences (the
 * development token secret and key-encryption key, the demo's token signer) exist only in
 * development; in production a service refuses to start without real secrets (productionChecks).
 */
export interface RunMode {
  readonly production: boolean;
  /** Why, in words an operator reads at start: `NODE_ENV=production`, `HOST=0.0.0.0 is not loopback`. */
  readonly reason: string;
}

const LOOPBACK_NAMES = new Set(['localhost', '::1', '[::1]']);

/** 127.0.0.0/8, ::1 and `localhost`: only this machine reaches a service listening there. */
export function isLoopbackHost(host: string): boolean {
  const name = host.trim().toLowerCase();
  return LOOPBACK_NAMES.has(name) || /^127(\.\d{1,3}){3}$/.test(name) || /^::ffff:127(\.\d{1,3}){3}$/.test(name);
}

export function runModeOf(env: { readonly NODE_ENV?: string; readonly HOST: string }): RunMode {
  const loopback = isLoopbackHost(env.HOST);
  if (env.NODE_ENV === 'production') return { production: true, reason: `NODE_ENV=production${loopback ? '' : `, HOST=${env.HOST} is not loopback`}` };
  if (!loopback) return { production: true, reason: `HOST=${env.HOST} is not loopback` };
  return { production: false, reason: `NODE_ENV=${env.NODE_ENV ?? '(unset)'} and HOST=${env.HOST} is loopback` };
}

/** The one line every service logs at start. */
export function describeRunMode(mode: RunMode): string {
  return `running in ${mode.production ? 'production' : 'development'} mode (${mode.reason})`;
}
