import { ConfigError, type Config } from '../config/config';
import { developmentWarnings, loadServiceConfig } from '../config/productionChecks';
import { describeRunMode } from '../config/runMode';
import { createLogger, type Logger } from '../logging/logger';

export interface RunningService {
  /** Stops taking work, finishes or hands back what is in flight, releases connections. */
  stop(): Promise<void>;
}

/**
 * The entry point of every service process: parses the configuration (one line and exit code 2
 * on a bad value, or on a production run without real secrets), says in one line which mode it
 * runs in, starts the service, and drains it on SIGTERM/SIGINT within a deadline.
 */
export function runService(name: string, start: (config: Config, logger: Logger) => Promise<RunningService>): void {
  let config: Config;
  try {
    config = loadServiceConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${name}: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(name, config.LOG_LEVEL);
  logger.info({ mode: config.RUN_MODE.production ? 'production' : 'development' }, describeRunMode(config.RUN_MODE));
  for (const warning of developmentWarnings(config)) logger.warn(warning);
  let running: RunningService | undefined;
  let stopping = false;

  const shutdown = (signal: string) => {
    if (stopping) {
      logger.debug({ signal }, 'already shutting down; still draining');
      return;
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error('shutdown deadline passed; exiting');
      process.exit(1);
    }, config.SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    Promise.resolve(running?.stop())
      .then(() => {
        logger.info('stopped');
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  // `on`, not `once`: a second signal must find a handler too, or Node's default action kills the
  // process mid-drain. It comes often: SIGTERM to `npm start`'s process group reaches each service
  // directly and again from the launcher; supervisors repeat theirs; Ctrl-C twice.
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  start(config, logger)
    .then((service) => {
      running = service;
    })
    .catch((error: unknown) => {
      logger.fatal({ err: error }, 'failed to start');
      process.exit(1);
    });
}
