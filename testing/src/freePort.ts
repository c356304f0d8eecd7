import { readFileSync } from 'node:fs';
import net from 'node:net';

/** The lowest port a picked port may have: clear of the well-known and registered services people run. */
const LOWEST = 10_000;
/** Jest runs at most this many workers here; each draws from a slice of its own. */
const SLICES = 16;
const handedOut = new Set<number>();

/**
 * A TCP port that was free a moment ago, for a service a test starts as a separate process.
 *
 * Picked below the kernel's ephemeral range on purpose. A port from `listen(0)` is ephemeral: after
 * it is closed, the kernel may hand it to another test's `listen(0)` or to an outgoing connection
 * before our service binds it, and then our health check may be answered by someone else's server
 * (seen as a 404 from "our" command API under load). The kernel never hands out ports below that
 * range by itself, and each jest worker picks from its own slice, so two workers do not race for one.
 */
export async function freePort(range: readonly [low: number, high: number] = sliceOfThisWorker()): Promise<number> {
  const [low, high] = range;
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (handedOut.has(port)) continue;
    if (await canListenOn(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free port from ${low} up to ${high} after 200 tries`);
}

function sliceOfThisWorker(): [number, number] {
  const top = ephemeralRangeStart();
  const size = Math.floor((top - LOWEST) / SLICES);
  const slice = (Number(process.env.JEST_WORKER_ID ?? process.pid) % SLICES) * size;
  return [LOWEST + slice, LOWEST + slice + size];
}

/** The first port of the kernel's ephemeral range (Linux); 32768, its default, elsewhere. */
function ephemeralRangeStart(): number {
  try {
    const first = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(first) && first > LOWEST + SLICES ? first : 32_768;
  } catch {
    return 32_768;
  }
}

function canListenOn(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
