import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';

/** How long, and how much, a refused request's remaining body is read and thrown away. */
export interface LingerLimits {
  /** The longest a connection lingers after its answer, whatever arrives. */
  readonly maxMs: number;
  /** A lingering connection on which nothing arrives for this long is closed. */
  readonly idleMs: number;
  /** Bytes read and discarded at most; a client that sends more is cut off. */
  readonly maxBytes: number;
}

/** nginx's lingering_time and lingering_timeout are 30 s and 5 s; a phone's refused body rarely needs that long. */
export const DEFAULT_LINGER: LingerLimits = { maxMs: 10_000, idleMs: 2_000, maxBytes: 16 * 1024 * 1024 };

/**
 * Lingering close, after nginx's `lingering_close`. A phone's HTTP stack sends a request body
 * without waiting for `100 Continue` and reads the answer only once it has written the body.
 * When a server answers early (401, 413, 415, 431) and closes at once, the bytes still arriving
 * make its kernel reset the connection; the client's next write fails, and it reports a network
 * error instead of reading the answer. So after such an answer the connection is half-closed
 * (the answer and a FIN go out) and the rest of the body is read and discarded, within `limits`,
 * until the request's body has ended or the client closes; only then is it closed.
 */
export class LingeringClose {
  private readonly unread = new WeakMap<Socket, IncomingMessage | undefined>();
  private readonly lingering = new Set<Socket>();
  private stopped = false;

  constructor(private readonly limits: LingerLimits = DEFAULT_LINGER) {}

  /**
   * Node closes a connection after a `Connection: close` answer with `socket.destroySoon()`: for
   * the connections of `server`, that now lingers when the answer left a body unread (see
   * `answeredEarly`), and closes at once otherwise.
   */
  attach(server: Server): void {
    server.on('connection', (socket: Socket) => {
      const destroySoon = socket.destroySoon.bind(socket);
      socket.destroySoon = () => {
        if (!this.unread.has(socket) || this.stopped) return destroySoon();
        this.linger(socket, this.unread.get(socket));
      };
    });
  }

  /** The answer to `request` goes out before its body was read: linger when Node closes the connection. */
  answeredEarly(request: IncomingMessage): void {
    this.unread.set(request.socket, request);
  }

  /**
   * Node's parser refused the request (headers too large, bad framing) and the answer was
   * written by hand: linger now. There is no request to follow, so the client's FIN, silence
   * or the limits end it.
   */
  lingerAfterParseError(socket: Socket): void {
    if (this.stopped) {
      socket.destroy();
      return;
    }
    this.unread.set(socket, undefined);
    this.linger(socket, undefined);
  }

  /** Whether `socket` was answered and is being drained (further parse errors on it are expected). */
  isLingering(socket: Socket): boolean {
    return this.lingering.has(socket);
  }

  /** Shutting down: lingering connections close now, and no new one lingers. */
  stop(): void {
    this.stopped = true;
    for (const socket of this.lingering) socket.destroy();
  }

  private linger(socket: Socket, request: IncomingMessage | undefined): void {
    if (this.lingering.has(socket)) return;
    this.lingering.add(socket);
    let discarded = 0;
    // Never before the answer has gone out whole; the overall limit closes regardless.
    const close = () => (socket.writableFinished ? socket.destroy() : socket.once('finish', () => socket.destroy()));
    const total = setTimeout(() => socket.destroy(), this.limits.maxMs);
    const idle = setTimeout(close, this.limits.idleMs);
    socket.on('data', (chunk: Buffer) => {
      discarded += chunk.length;
      idle.refresh();
      if (discarded > this.limits.maxBytes) close();
    });
    socket.once('end', close);
    socket.once('close', () => {
      clearTimeout(total);
      clearTimeout(idle);
      this.lingering.delete(socket);
    });
    // The answer is written; the FIN follows it once it has gone out.
    if (socket.writable) socket.end();
    if (request) {
      // The whole body has arrived and been thrown away: nothing more will come that could reset.
      if (request.readableEnded) close();
      request.once('end', close);
      request.resume();
    }
    socket.resume();
  }
}
