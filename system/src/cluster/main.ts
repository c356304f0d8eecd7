import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalCluster } from './localCluster';

/**
 * `npm run cluster`: the whole cluster on this machine until Ctrl-C or SIGTERM, which stop the
 * services (draining), the balancer and the engines, and remove the data folder unless `--data`
 * named one to keep.
 */
export async function runClusterCommand(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: { data: { type: 'string' }, 's3-endpoint': { type: 'string' }, 's3-access-key': { type: 'string' }, 's3-secret-key': { type: 'string' } },
  });
  const directory = values.data ? path.resolve(values.data) : await mkdtemp(path.join(os.tmpdir(), 'reelay-cluster-'));
  const say = (line: string) => process.stdout.write(`cluster: ${line}\n`);
  say(`state under ${directory}`);
  const cluster = await startLocalCluster({
    directory,
    s3Endpoint: values['s3-endpoint'],
    s3Credentials: values['s3-access-key'] && values['s3-secret-key'] ? { accessKeyId: values['s3-access-key'], secretAccessKey: values['s3-secret-key'] } : undefined,
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' },
    log: say,
  });
  say(`command API ${cluster.commandApi}  query API ${cluster.queryApi}`);
  say(`Postgres (primary, via HAProxy) ${cluster.databaseUrl}`);
  say(`NATS ${cluster.natsUrl}`);
  say(`S3 ${cluster.s3Endpoint}  HAProxy ${cluster.statsUrl}/stats and /metrics`);
  say(`a token for user demo-user: ${await cluster.token('demo-user')}`);
  say('Ctrl-C stops everything');

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  say('stopping');
  const exits = await cluster.stop();
  say(`services stopped: ${Object.entries(exits).map(([name, exit]) => `${name} ${exit.code ?? exit.signal} in ${exit.afterSignalMs} ms`).join(', ')}`);
  if (!values.data) await rm(directory, { recursive: true, force: true });
}
