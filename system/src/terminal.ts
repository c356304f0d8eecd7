import { ConfigError, type Config } from '@reelay/platform/core';
import type { ServiceEntry } from './serviceEntries';

/** How `npm start` writes its own and its services' log lines. */
export type LogFormat = 'pretty' | 'json';

/** Turns one JSON log line into a line for a person (no trailing newline handling needed). */
export type LinePrettifier = (line: string) => string;

/**
 * Pretty lines for a person at a terminal; JSON lines, as production writes them, for a pipe, a
 * file, a log shipper or production. `LOG_FORMAT=pretty|json` decides instead when set.
 */
export function chooseLogFormat(env: NodeJS.ProcessEnv, stdoutIsTerminal: boolean): LogFormat {
  const wanted = env.LOG_FORMAT?.trim().toLowerCase();
  if (wanted === 'pretty' || wanted === 'json') return wanted;
  if (wanted) throw new ConfigError(`LOG_FORMAT must be pretty or json, not ${env.LOG_FORMAT}`);
  return stdoutIsTerminal && env.NODE_ENV !== 'production' ? 'pretty' : 'json';
}

/**
 * pino-pretty, loaded only for a terminal: it is a development dependency, so a production
 * install (`npm ci --omit=dev`) has none, and then the lines stay JSON.
 */
export function loadPrettifier(colorize: boolean): LinePrettifier | undefined {
  let pretty: typeof import('pino-pretty');
  try {
    pretty = require('pino-pretty') as typeof import('pino-pretty');
  } catch {
    return undefined;
  }
  const format = pretty.prettyFactory({
    colorize,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    // The service's name leads the message; the launcher's lines about a service name that one.
    ignore: 'pid,hostname,name,service',
    messageFormat: '{service}: {msg}',
  });
  return (line) => {
    if (!line.startsWith('{')) return `${line}\n`;
    try {
      return format(JSON.parse(line) as object);
    } catch {
      return `${line}\n`;
    }
  };
}

/** Every address a newcomer needs, as the launcher prints it on a terminal once all are healthy. */
export function banner(services: readonly ServiceEntry[], config: Config): string {
  const origin = (port: number) => `http://${config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST}:${port}`;
  const lines = ['', 'Reelay is running'];
  for (const service of services) {
    const base = origin(service.port(config));
    if (service.path) lines.push(`  ${service.name.padEnd(12)} ${base}${service.path}`);
    else if (service.api) lines.push(`  ${service.name.padEnd(12)} ${base}/v1    docs: ${base}/docs`);
    else lines.push(`  ${service.name.padEnd(12)} ${base}/metrics`);
  }
  const signIn = services.some((service) => service.name === 'demo') ? ' (or sign in on the demo page)' : '';
  lines.push(`  a token      npm run token -- <userId>${signIn}`, '  stop         Ctrl-C', '', '');
  return lines.join('\n');
}

/** The same addresses as fields of one JSON line, for a pipe or production. */
export function addresses(services: readonly ServiceEntry[], config: Config): Record<string, string> {
  return Object.fromEntries(services.map((service) => [service.name, `http://${config.HOST}:${service.port(config)}${service.path ?? (service.api ? '/v1' : '/metrics')}`]));
}
