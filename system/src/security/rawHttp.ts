import net from 'node:net';

/** A response read off the wire by hand. */
export interface RawResponse {
  readonly status: number;
  /** Lower-cased names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface RawExchange {
  /** The request line and headers, without the blank line that ends them. */
  readonly head: string;
  readonly body?: readonly Buffer[];
  /**
   * After the body: `end` half-closes the connection (a client that stops short of its
   * Content-Length), `destroy` drops it after `afterMs` (a phone losing its network), `hold`
   * keeps it open sending nothing (a client that stalls). Default: just wait for the answer.
   */
  readonly afterBody?: 'end' | 'destroy' | 'hold';
  readonly afterMs?: number;
  /** Give up waiting for an answer after this long. */
  readonly timeoutMs?: number;
}

/**
 * Sends bytes fetch() refuses to send (oversized or contradictory headers, short bodies, a
 * connection that drops mid-body) and parses whatever answer comes back; null when none does.
 */
export function rawExchange(baseUrl: string, exchange: RawExchange): Promise<RawResponse | null> {
  return new Promise((resolve) => {
    const socket = net.connect(Number(new URL(baseUrl).port), '127.0.0.1');
    const received: Buffer[] = [];
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      socket.destroy();
      resolve(parse(Buffer.concat(received)));
    };
    const deadline = setTimeout(finish, exchange.timeoutMs ?? 5_000);
    socket.on('data', (chunk) => {
      received.push(chunk);
      if (parse(Buffer.concat(received))?.complete) finish();
    });
    socket.on('close', finish);
    socket.on('error', finish);
    socket.write(`${exchange.head}\r\n\r\n`);
    for (const chunk of exchange.body ?? []) socket.write(chunk);
    if (exchange.afterBody === 'end') setTimeout(() => socket.end(), exchange.afterMs ?? 100);
    if (exchange.afterBody === 'destroy') setTimeout(finish, exchange.afterMs ?? 100);
  });
}

function parse(bytes: Buffer): (RawResponse & { complete: boolean }) | null {
  const text = bytes.toString('utf8');
  const end = text.indexOf('\r\n\r\n');
  if (!text.startsWith('HTTP/1.1 ') || end < 0) return null;
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const body = text.slice(end + 4);
  const length = Number(headers['content-length'] ?? Number.NaN);
  return { status: Number(statusLine?.split(' ')[1]), headers, body, complete: Number.isFinite(length) && Buffer.byteLength(body) >= length };
}
