import { connect, type NatsConnection } from '@nats-io/transport-node';
import { natsServers } from '../config/config';
import type { Logger } from '../logging/logger';

/** NATS cannot be reached (at start) or is not connected now (readiness); see `cause`. */
export class NatsUnavailable extends Error {
  override readonly name = 'NatsUnavailable';
}

/**
 * Connects to NATS and keeps reconnecting forever after a loss (a worker should wait for NATS,
 * not die). The first connect fails fast, so a service with a wrong URL stops at start. `url` may
 * name every server of a cluster, comma-separated: the client picks one and, when it is lost,
 * reconnects to another (and learns further members from the cluster's INFO).
 */
export async function connectNats(url: string, options: { name: string; logger: Logger }): Promise<NatsConnection> {
  const { name, logger } = options;
  let nc: NatsConnection;
  try {
    nc = await connect({ servers: natsServers(url), name, maxReconnectAttempts: -1, reconnectTimeWait: 1_000 });
  } catch (error) {
    throw new NatsUnavailable(`cannot connect to NATS at ${url}`, { cause: error });
  }
  void logStatus(nc, logger);
  return nc;
}

async function logStatus(nc: NatsConnection, logger: Logger): Promise<void> {
  for await (const status of nc.status()) {
    switch (status.type) {
      case 'disconnect':
        logger.warn({ server: status.server }, 'NATS disconnected; reconnecting');
        break;
      case 'reconnect':
        logger.info({ server: status.server }, 'NATS reconnected');
        break;
      case 'error':
        logger.error({ err: status.error }, 'NATS error');
        break;
      default:
        logger.debug({ status: status.type }, 'NATS status');
    }
  }
}

/** Resolves when the connection is up and the server answers a ping; for `/readyz`. */
export async function natsReady(nc: NatsConnection, timeoutMs = 2_000): Promise<void> {
  if (nc.isClosed()) throw new NatsUnavailable('NATS connection is closed');
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      nc.rtt(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (error) {
    throw new NatsUnavailable('NATS is not connected', { cause: error });
  } finally {
    clearTimeout(timer);
  }
}
