import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { freePort } from '@reelay/testing';
import { ProcessHandle, httpStatus, until } from './processHandle';

const NATS_SERVER = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';

export interface NatsNode {
  readonly name: string;
  readonly url: string;
  /** The monitoring port (`/healthz`, `/jsz`, `/varz`). */
  readonly monitorUrl: string;
  readonly process: ProcessHandle;
  /** Starts it (again, same store) and resolves when it is back in the cluster with JetStream current. */
  start(): Promise<void>;
}

export interface NatsCluster {
  readonly nodes: readonly NatsNode[];
  /** Every server's URL, comma-separated: what NATS_URL is given. */
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * A JetStream cluster of `size` nats-server processes on loopback, each with its own store under
 * `directory`, routed to one another (the full mesh JetStream's Raft groups need). Resolves once
 * every node's `/healthz` says JetStream is up, i.e. a meta leader was elected.
 */
export async function startNatsCluster(directory: string, size = 3): Promise<NatsCluster> {
  const ports = await Promise.all(Array.from({ length: size }, async () => ({ client: await freePort(), route: await freePort(), monitor: await freePort() })));
  const routes = ports.map((port) => `nats://127.0.0.1:${port.route}`).join(',');
  const nodes: NatsNode[] = [];
  for (const [index, port] of ports.entries()) {
    const name = `nats-${index + 1}`;
    const store = path.join(directory, name);
    await mkdir(store, { recursive: true });
    const handle = new ProcessHandle(name, NATS_SERVER, [
      '-n', name,
      '-a', '127.0.0.1',
      '-p', String(port.client),
      '-m', String(port.monitor),
      '-js',
      '-sd', store,
      '--cluster_name', 'reelay',
      '--cluster', `nats://127.0.0.1:${port.route}`,
      '--routes', routes,
    ]);
    const monitorUrl = `http://127.0.0.1:${port.monitor}`;
    nodes.push({
      name,
      url: `nats://127.0.0.1:${port.client}`,
      monitorUrl,
      process: handle,
      async start() {
        handle.start();
        await until(async () => (await httpStatus(`${monitorUrl}/healthz`)) === 200, 60_000, () => `${name} did not become healthy:\n${handle.output()}`);
      },
    });
  }
  const cluster: NatsCluster = {
    nodes,
    url: nodes.map((node) => node.url).join(','),
    async stop() {
      await Promise.all(nodes.map((node) => node.process.stop('SIGTERM')));
    },
  };
  try {
    await Promise.all(nodes.map((node) => node.start()));
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}
