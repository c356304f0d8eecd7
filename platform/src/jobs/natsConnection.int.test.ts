import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import pino from 'pino';
import type { NatsConnection } from '@nats-io/transport-node';
import { eventually, startPrivateNats, type PrivateNats } from '@reelay/testing';
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

  // ~16 s to notice (a ping every 4 s, three missed) and up to 8 s to reconnect; the bound leaves room
  // for a loaded CI machine and still fails nats.js's defaults, which take four minutes.
  it('moves to another listed server within 60 s and is ready again', async () => {
    nc = await connectNats(servers.map((server) => server.url).join(','), { name: 'freeze-test', logger: pino({ level: 'silent' }) });
    const port = (connection: NatsConnection) => Number(connection.getServer().split(':').pop());
    const frozen = servers.find((server) => server.port === port(nc!));
    const other = servers.find((server) => server !== frozen);
    expect(frozen).toBeDefined();

    frozen?.freeze();
    await eventually(
      async () => {
        expect(port(nc!)).toBe(other?.port);
        await natsReady(nc!);
      },
      60_000,
      250,
    );
  }, 90_000);
});
