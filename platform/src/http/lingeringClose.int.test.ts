import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import net from 'node:net';
import pino from 'pino';
import { registerAuthentication } from '../auth/authenticate';
import { createTokenVerifier } from '../auth/tokens';
import { createMetricsRegistry } from '../metrics/registry';
import { createHttpApp, type HttpApp } from './createHttpApp';

const LIMITS = { maxMs: 1_500, idleMs: 300, maxBytes: 256 * 1024 };
const REFUSED = ['POST /v1/anything HTTP/1.1', 'Host: t', 'Content-Type: video/mp4', 'Authorization: Bearer bad', `Content-Length: ${64 * 1024 * 1024}`, '', ''].join('\r\n');

/**
 * Connects (keeping its own side open when the server's FIN arrives, as a client still sending
 * does), sends the refused head, then `feed` sends what else it will; resolves with the answer
 * and how long after connecting the server closed its side of the connection.
 */
function connect(app: HttpApp, port: number, feed: (socket: net.Socket) => void): Promise<{ closedAfterMs: number; answer: string }> {
  return new Promise((resolve) => {
    const started = Date.now();
    let answer = '';
    app.server.once('connection', (serverSide: net.Socket) => {
      serverSide.once('close', () => {
        // Let the last bytes of the answer reach the client.
        setTimeout(() => {
          socket.destroy();
          resolve({ closedAfterMs: Date.now() - started, answer });
        }, 20);
      });
    });
    const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.write(REFUSED);
    feed(socket);
  });
}

describe('lingering close is bounded', () => {
  let app: HttpApp;
  let port: number;

  beforeEach(async () => {
    app = createHttpApp({ service: 'linger-test', logger: pino({ level: 'silent' }), metrics: createMetricsRegistry('linger-test'), readiness: {}, linger: LIMITS });
    registerAuthentication(app, createTokenVerifier({ AUTH_JWT_SECRET: 'linger-test-secret-0123456789abcdefgh' }));
    app.post('/v1/anything', async () => ({ ok: true }));
    port = Number(new URL(await app.listen({ host: '127.0.0.1', port: 0 })).port);
  });
  afterEach(async () => {
    await app.close();
  });

  it('closes a connection whose client goes quiet after idleMs, having answered', async () => {
    const { closedAfterMs, answer } = await connect(app, port, (socket) => socket.write(Buffer.alloc(1024)));

    expect(answer).toMatch(/^HTTP\/1\.1 401 /);
    expect(closedAfterMs).toBeGreaterThanOrEqual(LIMITS.idleMs);
    expect(closedAfterMs).toBeLessThan(LIMITS.maxMs);
  });

  it('cuts off a client that keeps sending, once maxBytes are discarded or maxMs have passed', async () => {
    let sent = 0;
    const { closedAfterMs, answer } = await connect(app, port, (socket) => {
      const timer = setInterval(() => {
        if (socket.destroyed) return clearInterval(timer);
        socket.write(Buffer.alloc(16 * 1024));
        sent += 16 * 1024;
      }, 5);
      socket.on('close', () => clearInterval(timer));
    });

    expect(answer).toMatch(/^HTTP\/1\.1 401 /);
    expect(closedAfterMs).toBeLessThanOrEqual(LIMITS.maxMs + 500);
    // Somewhat more than maxBytes may be in flight in the kernels' buffers when it closes.
    expect(sent).toBeLessThan(LIMITS.maxBytes + 8 * 1024 * 1024);
  });

  it('does not hold the app up when it closes', async () => {
    const lingering = connect(app, port, (socket) => socket.write(Buffer.alloc(1024)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await app.close();
    expect(Date.now() - started).toBeLessThan(LIMITS.idleMs);
    await lingering;
  });
});
