import net from 'node:net';
import { Transform, type TransformCallback } from 'node:stream';

/**
 * A TCP proxy on loopback that slows the client → server direction to `bytesPerSecond`, so
 * tests can watch an upload while it is in flight (an S3 stand-in on loopback is otherwise
 * faster than any poll).
 */
export async function startThrottlingProxy(targetUrl: string, options: { bytesPerSecond: number }): Promise<{ url: string; close(): Promise<void> }> {
  const target = new URL(targetUrl);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(throttle(options.bytesPerSecond)).pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `${target.protocol}//127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function throttle(bytesPerSecond: number): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      this.push(chunk);
      setTimeout(callback, (chunk.length / bytesPerSecond) * 1000);
    },
  });
}
