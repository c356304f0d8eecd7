import { ConfigError, createLogger, describeRunMode, loadServiceConfig } from '@reelay/platform/core';
import { prepareEnvironment } from './prepare';
import { SERVICE_ENTRIES, SERVICE_ENVIRONMENT } from './serviceEntries';
import { servicesToStart } from './onlyServices';
import { SupervisedProcess } from './supervisor';
import { addresses, banner, chooseLogFormat, loadPrettifier } from './terminal';
import { waitUntilHealthy } from './waitUntilHealthy';

/** What `npm start` was asked for; a bad argument or variable ends it with one line and exit code 2. */
function startOptions() {
  try {
    return {
      services: servicesToStart(process.argv.slice(2), SERVICE_ENTRIES),
      config: loadServiceConfig(),
      format: chooseLogFormat(process.env, process.stdout.isTTY === true),
    };
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`reelay: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

/**
 * `npm start`: the whole system on one machine. Each service runs as a process of its own,
 * restarted if it dies; SIGTERM or Ctrl-C drains them all, and the exit code says whether
 * every one of them stopped cleanly. On a terminal: a banner with the addresses, then readable
 * log lines; piped or in production: JSON lines.
 */
async function main(): Promise<void> {
  const { services, config, format } = startOptions();
  const prettify = format === 'pretty' ? loadPrettifier(process.stdout.hasColors?.() ?? false) : undefined;
  const writeLine = prettify ? (line: string) => process.stdout.write(prettify(line)) : undefined;
  const logger = createLogger('reelay', config.LOG_LEVEL, writeLine ? { destination: { write: (text: string) => text.split('\n').filter(Boolean).forEach(writeLine) } } : {});
  if (format === 'pretty' && !prettify) logger.warn('LOG_FORMAT is pretty but pino-pretty (a development dependency) is not installed: JSON lines');
  logger.info(describeRunMode(config.RUN_MODE));
  const prepared = await prepareEnvironment(config, logger);
  // The demo page's "sign in by name" is what makes `npm start` usable at once; development only.
  const demoTokens = config.RUN_MODE.production ? {} : { DEMO_TOKENS: process.env.DEMO_TOKENS || 'on' };
  const env = { ...SERVICE_ENVIRONMENT, ...process.env, ...demoTokens, ...prepared.env };
  const processes = services.map(
    (service) => new SupervisedProcess({ name: service.name, sourceEntry: service.sourceEntry, bundled: true, env, nodeFlags: service.nodeFlags, onStdoutLine: writeLine }, logger),
  );

  let stopping = false;
  const stop = async (reason: string, failed = false) => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'stopping every service');
    const clean = await Promise.all(processes.map((p) => p.stop()));
    await prepared.stop();
    process.exit(clean.every(Boolean) && !failed ? 0 : 1);
  };
  // `on`: a second signal (the process group's, a supervisor's repeat, Ctrl-C twice) must not
  // kill the launcher while its services drain.
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  for (const p of processes) p.start();
  try {
    await Promise.all(services.map((service) => waitUntilHealthy(`http://${config.HOST}:${service.port(config)}/healthz`, 60_000)));
  } catch (error) {
    logger.error({ err: error }, 'a service did not become healthy');
    // The services started so far would outlive the launcher otherwise.
    await stop('start failed', true);
    return;
  }
  if (stopping) return;
  if (prettify) process.stdout.write(banner(services, config));
  // Shown whatever LOG_LEVEL says: people and the tests' launcher wait for this line.
  logger.child({}, { level: 'info' }).info({ addresses: addresses(services, config), token: 'npm run token -- <userId>' }, 'Reelay is running');
}

main().catch((error: unknown) => {
  process.stderr.write(`reelay: could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
