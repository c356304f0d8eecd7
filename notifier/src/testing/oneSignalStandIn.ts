/**
 * A STAND-IN FOR ONESIGNAL, for tests only. OneSignal cannot be reached from the machines this
 * project is tested on, so this loopback HTTP server (node:http) plays its part: the official
 * client is pointed at `url` through `ONESIGNAL_API_URL`, and the test reads what arrived.
 *
 * It behaves like OneSignal's `POST /notifications` where the notifier depends on it: it answers
 * `200 {id, external_id}`, and a request whose `idempotency_key` (or the older notification-level
 * `external_id`) it has seen before creates nothing new: it gets the first notification's id
 * back with `Idempotent-Replayed: true`, as OneSignal does for 30 days. Nothing is delivered.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One `POST /notifications` as the stand-in received it. */
export interface ReceivedNotificationRequest {
  readonly headers: IncomingHttpHeaders;
  /** The parsed JSON body, or the raw text when it was not JSON. */
  readonly body: unknown;
  /** The status the stand-in answered with. */
  readonly status: number;
  /** The notification id answered, or null when the request failed. */
  readonly notificationId: string | null;
}

/** A notification the stand-in "created": one per idempotency key. */
export interface StandInNotification {
  readonly id: string;
  readonly idempotencyKey: string | null;
  readonly body: Readonly<Record<string, unknown>>;
}

export interface OneSignalStandIn {
  /** The base URL to give the client as `ONESIGNAL_API_URL`, e.g. `http://127.0.0.1:45123`. */
  readonly url: string;
  /** Every `POST /notifications` received, in order, failed ones included. */
  readonly requests: readonly ReceivedNotificationRequest[];
  /** The notifications created, one per idempotency key (requests without a key each make one). */
  notifications(): readonly StandInNotification[];
  /** How many distinct notifications were created: what users would actually have received. */
  uniqueNotifications(): number;
  /** Answers the next `count` requests with `status` (and `body`) instead of creating anything. */
  failNext(count: number, status: number, body?: unknown, headers?: Readonly<Record<string, string>>): void;
  /** Holds the answers to the next `count` requests for `ms` (to exercise a client's deadline). */
  delayNext(count: number, ms: number): void;
  /**
   * Runs `hook` after the next new notification is created and before it is answered: the
   * moment where the provider has accepted a push that the sender does not know about yet (a
   * test kills the sender here). The answer is written after the hook resolves, if still wanted.
   */
  onNextAccepted(hook: (notification: StandInNotification) => Promise<void> | void): void;
  /** Resolves when `requests` holds at least `count` entries (or rejects after `timeoutMs`). */
  waitForRequests(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

interface PlannedFailure {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string>>;
}

/** Starts the stand-in on a free loopback port. */
export async function startOneSignalStandIn(): Promise<OneSignalStandIn> {
  const requests: ReceivedNotificationRequest[] = [];
  const created: StandInNotification[] = [];
  const byKey = new Map<string, StandInNotification>();
  const failures: PlannedFailure[] = [];
  const delays: number[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const waiters = new Set<() => void>();
  const acceptedHooks: ((notification: StandInNotification) => Promise<void> | void)[] = [];

  const record = (request: ReceivedNotificationRequest) => {
    requests.push(request);
    for (const wake of [...waiters]) wake();
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const text = await readBody(req);
    const delayMs = delays.shift();
    if (delayMs !== undefined) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, delayMs);
        timers.add(timer);
      });
      if (res.destroyed) return;
    }
    if (req.method !== 'POST' || req.url?.split('?')[0] !== '/notifications') {
      return answer(res, 404, { errors: [`the stand-in has no ${req.method} ${req.url}`] });
    }
    const body = parseJson(text);
    const failure = failures.shift();
    if (failure) {
      record({ headers: req.headers, body, status: failure.status, notificationId: null });
      return answer(res, failure.status, failure.body, failure.headers);
    }
    const refusal = refuse(req.headers, body);
    if (refusal) {
      record({ headers: req.headers, body, status: refusal.status, notificationId: null });
      return answer(res, refusal.status, { errors: [refusal.error] });
    }
    const fields = body as Record<string, unknown>;
    const key = idempotencyKeyOf(fields);
    const earlier = key === null ? undefined : byKey.get(key);
    const notification = earlier ?? { id: randomUUID(), idempotencyKey: key, body: fields };
    if (!earlier) {
      created.push(notification);
      if (key !== null) byKey.set(key, notification);
      const hook = acceptedHooks.shift();
      if (hook) await hook(notification);
    }
    record({ headers: req.headers, body, status: 200, notificationId: notification.id });
    // The sender may be gone by now (killed in a hook): accepted all the same, nobody to tell.
    if (res.destroyed || req.socket.destroyed) return undefined;
    return answer(res, 200, { id: notification.id, external_id: key }, earlier ? { 'Idempotent-Replayed': 'true' } : {});
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => answer(res, 500, { errors: [String(error)] }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    notifications: () => [...created],
    uniqueNotifications: () => created.length,
    failNext(count, status, body = { errors: ['failure planned by the test'] }, headers = {}) {
      for (let i = 0; i < count; i += 1) failures.push({ status, body, headers });
    },
    onNextAccepted(hook) {
      acceptedHooks.push(hook);
    },
    delayNext(count, ms) {
      for (let i = 0; i < count; i += 1) delays.push(ms);
    },
    waitForRequests(count, timeoutMs = 10_000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (requests.length < count) return;
          cleanup();
          resolve();
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`the OneSignal stand-in got ${requests.length} of ${count} requests in ${timeoutMs} ms`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** What OneSignal refuses before creating anything: no key, no app, no JSON, no target. */
function refuse(headers: IncomingHttpHeaders, body: unknown): { status: number; error: string } | undefined {
  if (!/^(Key|Basic) \S+/.test(headers.authorization ?? '')) {
    return { status: 403, error: "Access denied.  Please include an 'Authorization: ...' header with a valid API key" };
  }
  if (!body || typeof body !== 'object') return { status: 400, error: 'the body is not a JSON object' };
  const fields = body as Record<string, unknown>;
  if (typeof fields.app_id !== 'string' || fields.app_id === '') return { status: 400, error: 'app_id not found' };
  if (!fields.include_aliases && !fields.include_subscription_ids && !fields.included_segments) {
    return { status: 400, error: 'You must include which players, segments, or tags you wish to send this notification to.' };
  }
  return undefined;
}

function idempotencyKeyOf(fields: Record<string, unknown>): string | null {
  const key = fields.idempotency_key ?? fields.external_id;
  return typeof key === 'string' && key !== '' ? key : null;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function answer(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}
