import net from 'node:net';
import { Transform, Writable, type TransformCallback } from 'node:stream';

/**
 * A TCP proxy on loopback for fault and timing tests: its connections can be cut at will, as a
 * network failure would, and the client → server direction can be slowed so that a test can
 * watch an upload in flight (an S3 stand-in on loopback is otherwise faster than any poll).
 */
export interface TcpProxy {
  readonly host: string;
  readonly port: number;
  /** Destroys every open connection; new ones are accepted as before. */
  dropConnections(): void;
  /**
   * Sends new connections to another server from now on (open ones stay where they are), as a
   * balancer does after a failover; a port nothing listens on makes every new connection fail.
   */
  retarget(host: string, port: number): void;
  /** Bytes clients have sent through it so far (requests, headers and bodies): what reached the server. */
  bytesUp(): number;
  /** Whether the cut `cutOnceAtBytesUp` asked for has happened. */
  wasCut(): boolean;
  /** Whether an answer `loseReplyTo` asked for has been lost. */
  replyLost(): boolean;
  /** Runs `action`; its result and the bytes clients sent through the proxy meanwhile. */
  sentDuring<T>(action: () => Promise<T>): Promise<{ result: T; bytes: number }>;
  close(): Promise<void>;
}

export interface TcpProxyOptions {
  /** Caps the client → server direction at this many bytes a second. */
  readonly bytesPerSecond?: number;
  /**
   * Cuts every connection once, when clients have sent this many bytes through it: the server
   * gets exactly that many, wherever the client's own progress events say it is (under load
   * they come late, and a cut they trigger can miss the request it was meant for).
   */
  readonly cutOnceAtBytesUp?: number;
  /**
   * Once, for the first bytes a client sends that this picks: they reach the server, and when
   * the server answers, every connection breaks before the answer reaches the client, as a network
   * failing at that moment does. The server did the work (a commit, say); the client cannot know.
   */
  readonly loseReplyTo?: (sent: Buffer) => boolean;
}

export async function startTcpProxy(targetHost: string, targetPort: number, options: TcpProxyOptions = {}): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  let up = 0;
  let target = { host: targetHost, port: targetPort };
  let cut = false;
  let replyLost = false;
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    let awaitingLostReply = false;
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    const toServer = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        if (!replyLost && !awaitingLostReply && options.loseReplyTo?.(chunk)) awaitingLostReply = true;
        const cutAt = options.cutOnceAtBytesUp;
        if (cutAt === undefined || cut || up + chunk.length < cutAt) {
          up += chunk.length;
          upstream.write(chunk, () => callback());
          return;
        }
        cut = true;
        const before = chunk.subarray(0, cutAt - up);
        up = cutAt;
        // The bytes before the cut reach the server; then every connection fails, as a dropped network does.
        upstream.write(before, () => {
          dropConnections();
          callback();
        });
      },
      final(callback) {
        upstream.end();
        callback();
      },
    });
    (options.bytesPerSecond ? client.pipe(throttle(options.bytesPerSecond)) : client).pipe(toServer);
    const toClient = new Transform({
      transform(chunk: Buffer, _encoding, callback: TransformCallback) {
        if (!awaitingLostReply) return callback(null, chunk);
        replyLost = true;
        dropConnections();
        callback();
      },
    });
    upstream.pipe(toClient).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const dropConnections = () => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    host: '127.0.0.1',
    port,
    dropConnections,
    retarget(host, port) {
      target = { host, port };
    },
    bytesUp: () => up,
    wasCut: () => cut,
    replyLost: () => replyLost,
    async sentDuring(action) {
      const before = up;
      const result = await action();
      return { result, bytes: up - before };
    },
    close: () =>
      new Promise<void>((resolve) => {
        dropConnections();
        server.close(() => resolve());
      }),
  };
}

/** The same proxy in front of an HTTP(S) URL, with the proxy's URL. */
export async function startUrlProxy(targetUrl: string, options: TcpProxyOptions = {}): Promise<TcpProxy & { url: string }> {
  const target = new URL(targetUrl);
  const proxy = await startTcpProxy(target.hostname, Number(target.port), options);
  return { ...proxy, url: `${target.protocol}//${proxy.host}:${proxy.port}` };
}

/** A proxy in front of an HTTP(S) URL that slows uploads to `bytesPerSecond`. */
export function startThrottlingProxy(targetUrl: string, options: { bytesPerSecond: number }): Promise<TcpProxy & { url: string }> {
  return startUrlProxy(targetUrl, options);
}

function throttle(bytesPerSecond: number): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      this.push(chunk);
      setTimeout(callback, (chunk.length / bytesPerSecond) * 1000);
    },
  });
}
