import pino from 'pino';
import type { NatsConnection } from '@nats-io/transport-node';
import { eventually, startPrivateNats, type PrivateNats } from '../testing';
import { connectNats, natsReady } from './natsConnection';

/**
 * A NATS server that stops answering without closing its sockets (a node behind a partition, a
 * frozen process) gives its clients no error: only the client's own pings can tell. Every service
 * must move to another server of the cluster within seconds, not after nats.js's default two
 * missed pings two minutes apart (the cluster soak saw jobs stand still for six minutes, and both
 * command APIs unready for as long when both were on the frozen node).
 */
describe('a NATS connection whose server freezes', () => {
  let servers: PrivateNats[];
  let nc: NatsConnection | undefined;
  beforeEach(async () => {
    servers = await Promise.all([startPrivateNats(), startPrivateNats()]);
  });
  afterEach(async () => {
    await nc?.close().catch(() => undefined);
    await Promise.all(servers.map((server) => server.dispose()));
  });

  it('moves to another listed server within 30 s and is ready again', async () => {
    nc = await connectNats(servers.map((server) => server.url).join(','), { name: 'freeze-test', logger: pino({ level: 'silent' }) });
    const port = (connection: NatsConnection) => Number(connection.getServer().split(':').pop());
    const frozen = servers.find((server) => server.port === port(nc!));
    const other = servers.find((server) => server !== frozen);
    expect(frozen).toBeDefined();

    const started = Date.now();
    frozen?.freeze();
    await eventually(
      async () => {
        expect(port(nc!)).toBe(other?.port);
        await natsReady(nc!);
      },
      30_000,
      250,
    );

    expect(Date.now() - started).toBeLessThan(30_000);
  }, 60_000);
});
