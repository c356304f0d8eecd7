import { describe, it, expect } from '@jest/globals';
import net from 'node:net';
import { createTestDatabase, uniqueName } from '@reelay/testing';
import { startSystem } from './runningSystem';

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

describe('npm start -- --only', () => {
  it('runs just the services named, each ready, and stops them cleanly', async () => {
    const database = await createTestDatabase('reelay_only');
    const system = await startSystem(
      { DATABASE_URL: database.url, JOBS_STREAM: uniqueName('ONLY'), S3_ENDPOINT: 'http://127.0.0.1:9' },
      120_000,
      ['--only', 'projector,query-api'],
    );
    try {
      expect((await fetch(`${system.queryApi}/readyz`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${system.ports.PROJECTOR_OPS_PORT}/readyz`)).status).toBe(200);
      for (const other of ['COMMAND_API_PORT', 'UPLOADER_OPS_PORT', 'NOTIFIER_OPS_PORT']) {
        expect([other, await listening(system.ports[other] as number)]).toEqual([other, false]);
      }
    } finally {
      expect(await system.stop()).toBe(0);
      await database.drop();
    }
  }, 180_000);
});
