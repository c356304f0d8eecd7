import { describe, it, expect } from '@jest/globals';
import net from 'node:net';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { createS3Client } from './s3Client';

/**
 * An S3 endpoint that takes the connection and the request and then says nothing, as a stuck
 * gateway or a half-open connection through a balancer does: the SDK alone would wait for ever.
 */
async function silentEndpoint(): Promise<{ url: string; requests: () => number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let requests = 0;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('data', () => (requests += 1));
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('the S3 client against an endpoint that goes quiet', () => {
  it('gives up on a request nobody answers after its idle limit, retrying it first, instead of waiting for ever', async () => {
    const endpoint = await silentEndpoint();
    const client = createS3Client(
      { S3_REGION: 'us-east-1', S3_FORCE_PATH_STYLE: true, S3_ACCESS_KEY_ID: 'quiet', S3_SECRET_ACCESS_KEY: 'quiet' },
      endpoint.url,
      { connectMs: 1_000, socketIdleMs: 300 },
    );
    try {
      const outcome = await Promise.race([
        client.send(new HeadBucketCommand({ Bucket: 'quiet' })).then(
          () => 'answered',
          (error: Error) => error.name,
        ),
        new Promise((resolve) => setTimeout(() => resolve('still waiting after 20 s'), 20_000)),
      ]);
      expect(outcome).toBe('TimeoutError');
      // The SDK's standard retry strategy took it as transient: each attempt reached the endpoint.
      expect(endpoint.requests()).toBe(3);
    } finally {
      client.destroy();
      await endpoint.close();
    }
  });
});
