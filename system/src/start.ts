import { ConfigError, createLogger, describeRunMode, loadServiceConfig } from '@reelay/platform';
import { prepareEnvironment } from './prepare';
import { SERVICE_ENTRIES } from './serviceEntries';
import { servicesToStart } from './onlyServices';
import { SupervisedProcess } from './supervisor';
import { waitUntilHealthy } from './waitUntilHealthy';

/**
 * `npm start`: the whole system on one machine. Each service runs as a process of its own,
 * restarted if it dies; SIGTERM or Ctrl-C drains them all, and the exit code says whether
 * every one of them stopped cleanly.
 */
async function main(): Promise<void> {
  let config;
  let services;
  try {
    services = servicesToStart(process.argv.slice(2), SERVICE_ENTRIES);
    config = loadServiceConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`reelay: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger('reelay', config.LOG_LEVEL);
  logger.info(describeRunMode(config.RUN_MODE));
  const prepared = await prepareEnvironment(config, logger);
  // The demo page's "sign in by name" is what makes `npm start` usable at once; development only.
  const demoTokens = config.RUN_MODE.production ? {} : { DEMO_TOKENS: process.env.DEMO_TOKENS || 'on' };
  const env = { ...process.env, ...demoTokens, ...prepared.env };
  const processes = services.map((service) => new SupervisedProcess({ name: service.name, entry: service.entry, env, nodeFlags: service.nodeFlags }, logger));

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping every service');
    const clean = await Promise.all(processes.map((p) => p.stop()));
    await prepared.stop();
    process.exit(clean.every(Boolean) ? 0 : 1);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  processes.forEach((p) => p.start());
  await Promise.all(services.map((service) => waitUntilHealthy(`http://${config.HOST}:${service.port(config)}/healthz`, 60_000)));
  const lines = services.map((s) => `  ${s.name.padEnd(12)} http://${config.HOST}:${s.port(config)}${s.path ?? (s.api ? '/v1' : '/metrics')}`);
  process.stdout.write(`\nReelay is running:\n${lines.join('\n')}\n  a token:     npm run token -- <userId>\n  API docs:    http://${config.HOST}:${config.COMMAND_API_PORT}/docs  http://${config.HOST}:${config.QUERY_API_PORT}/docs\n\n`);
  logger.info({ services: services.map((s) => s.name) }, 'reelay started');
}

main().catch((error: unknown) => {
  process.stderr.write(`reelay: could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
