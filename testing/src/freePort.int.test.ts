import { describe, it, expect } from '@jest/globals';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { freePort } from './freePort';

describe('freePort', () => {
  it('hands out distinct ports below the ephemeral range that can be listened on', async () => {
    const ephemeralStart = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    expect(new Set(ports).size).toBe(ports.length);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(10_000);
      expect(port).toBeLessThan(ephemeralStart);
    }
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(ports[0], '127.0.0.1', resolve));
    await new Promise((resolve) => server.close(resolve));
  });

  it('skips ports that something is listening on', async () => {
    // A small range of ten, nine of them taken by listeners opened here: only the tenth can come back.
    const low = 10_000 + Math.floor(Math.random() * 20_000);
    const servers: net.Server[] = [];
    try {
      for (let port = low; port < low + 9; port += 1) {
        const server = net.createServer();
        await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
        servers.push(server);
      }
      expect(await freePort([low, low + 10])).toBe(low + 9);
    } finally {
      await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    }
  });
});
