import { connect, type NatsConnection } from '@nats-io/transport-node';
import { natsServers } from '../config/config';
import { DependencyUnavailable } from '../lifecycle/dependencyUnavailable';
import type { Logger } from '../logging/logger';

/** NATS cannot be reached (at start) or is not connected now (readiness); see `cause`. */
export class NatsUnavailable extends DependencyUnavailable {
  override readonly name = 'NatsUnavailable';
}

/**
 * Connects to NATS and keeps reconnecting forever after a loss (a worker should wait for NATS,
 * not die). The first connect fails fast, so a service with a wrong URL stops at start. `url` may
 * name every server of a cluster, comma-separated: the client picks one and, when it is lost,
 * reconnects to another (and learns further members from the cluster's INFO).
 */
/**
 * A server that stops answering but keeps its socket open (frozen, or cut off by a partition)
 * raises no error: the client finds out only when its pings go unanswered. nats.js pings every
 * two minutes and gives up after two missed, so a client stayed up to six minutes on a frozen
 * node: jobs stood still, and an API whose readiness asks NATS was out of the balancer. Here a
 * ping every 4 s, three missed, notices it in ~16 s. The reconnect may try the frozen node first
 * (its kernel still accepts the connection, then nothing comes): 4 s without INFO moves on, where
 * nats.js waits 20 s. A busy server that answers late costs at most one needless reconnect.
 */
export const NATS_PING_INTERVAL_MS = 4_000;
export const NATS_MAX_PINGS_OUT = 3;
export const NATS_CONNECT_TIMEOUT_MS = 4_000;

export async function connectNats(url: string, options: { name: string; logger: Logger }): Promise<NatsConnection> {
  const { name, logger } = options;
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: natsServers(url),
      name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1_000,
      pingInterval: NATS_PING_INTERVAL_MS,
      maxPingOut: NATS_MAX_PINGS_OUT,
      timeout: NATS_CONNECT_TIMEOUT_MS,
    });
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
