import { abortableSleep, backoffDelay, type BackoffPolicy } from '@reelay/contracts/timing';
import { httpErrorOf } from './errors';
import type { ApiTransport } from './http';
import { isTerminal, type VideoStatus, type VideoView } from './types';

export interface FollowOptions {
  /** Called with every new state of the video (never twice for the same version). */
  readonly onUpdate?: (video: VideoView) => void;
  /** How long the query API may hold each request waiting for a change (0–30; default 25). */
  readonly waitSeconds?: number;
  /** Delays after failed requests (network errors, 429, 5xx); what is left out is DEFAULT_BACKOFF's. */
  readonly backoff?: Partial<BackoffPolicy>;
  /**
   * A video accepted a moment ago can be missing from the read model for the projector's lag:
   * `404` is retried for this long before it counts as an error (default 15 s).
   */
  readonly notFoundGraceMs?: number;
  /**
   * At most one request per this many ms (default 500). A long-poll is held by the server, but a
   * video whose bytes are still arriving is answered at once, with news at nearly every request.
   */
  readonly minIntervalMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * 0.5 s doubling to 30 s, with full jitter: many phones coming back from one outage must not
 * retry in step, and a phone gains nothing from a guaranteed minimum wait.
 */
export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 30_000, jitter: 'full' };

export type FollowEnd = 'terminal' | 'push' | 'stopped';

export interface FollowResult {
  /** The last state seen, if any was. */
  readonly video: VideoView | undefined;
  readonly reason: FollowEnd;
}

/** One video being followed. */
export interface VideoFollower {
  readonly videoId: string;
  /** Resolves when following ends: a terminal status, a push for this video, or `stop()`; rejects on an error that retrying cannot fix (401, 404 past the grace). */
  readonly done: Promise<FollowResult>;
  /** Requests made so far (each long-poll is one). */
  readonly requests: number;
  stop(): void;
  /** The push for this video arrived: stop waiting, read the final state once, and end. */
  pushed(status: VideoStatus): void;
}

/**
 * Follows a video's status the cheap way: the first request reads it, every later one sends
 * `If-None-Match` with `waitSeconds`, so the query API holds it until the video changes (200) or
 * the wait ends (304, asked again at once). Failures back off exponentially with jitter, honouring
 * `Retry-After`. It ends by itself on a terminal status; a push ends it sooner.
 */
export function followVideo(transport: ApiTransport, videoId: string, options: FollowOptions = {}): VideoFollower {
  const waitSeconds = Math.min(30, Math.max(0, options.waitSeconds ?? 25));
  const policy: BackoffPolicy = { ...DEFAULT_BACKOFF, ...options.backoff };
  const graceMs = options.notFoundGraceMs ?? 15_000;
  const minIntervalMs = options.minIntervalMs ?? 500;
  const polling = new AbortController();
  let reason: FollowEnd = 'stopped';
  let requests = 0;
  let last: VideoView | undefined;
  const end = (why: FollowEnd) => {
    if (polling.signal.aborted) return;
    reason = why;
    polling.abort();
  };
  if (options.signal?.aborted) end('stopped');
  options.signal?.addEventListener('abort', () => end('stopped'));
  const url = `${transport.queryApiUrl}/v1/videos/${encodeURIComponent(videoId)}`;

  const update = (video: VideoView) => {
    last = video;
    options.onUpdate?.(video);
  };

  async function poll(): Promise<void> {
    let etag: string | null = null;
    let failures = 0;
    const startedAt = Date.now();
    let lastRequestAt = -Infinity;
    while (!polling.signal.aborted) {
      const sinceLast = Date.now() - lastRequestAt;
      if (sinceLast < minIntervalMs) await abortableSleep(minIntervalMs - sinceLast, polling.signal);
      if (polling.signal.aborted) return;
      lastRequestAt = Date.now();
      let response: Response;
      try {
        requests += 1;
        response = await transport.send(etag ? `${url}?waitSeconds=${waitSeconds}` : url, {
          headers: etag ? { 'if-none-match': etag } : {},
          signal: polling.signal,
        });
      } catch {
        if (polling.signal.aborted) return;
        failures += 1;
        await abortableSleep(backoffDelay(failures, policy, Math.random()), polling.signal);
        continue;
      }
      if (response.status === 304) {
        failures = 0;
        continue;
      }
      if (response.ok) {
        failures = 0;
        etag = response.headers.get('etag');
        update((await response.json()) as VideoView);
        if (last && isTerminal(last.status)) return end('terminal');
        continue;
      }
      const error = await httpErrorOf(response);
      const stillProjecting = error.status === 404 && last === undefined && Date.now() - startedAt < graceMs;
      if (!stillProjecting && !error.retryable) throw error;
      failures += 1;
      // The server's Retry-After is a floor, however long: it knows when it can answer.
      await abortableSleep(Math.max(backoffDelay(failures, policy, Math.random()), (error.retryAfterSeconds ?? 0) * 1000), polling.signal);
    }
  }

  /** After a push: the state the push announced, read once (without waiting). */
  async function finalRead(): Promise<void> {
    requests += 1;
    const response = await transport.send(url).catch(() => undefined);
    if (response?.ok) update((await response.json()) as VideoView);
    else await response?.body?.cancel().catch(() => undefined);
  }

  const done = (async (): Promise<FollowResult> => {
    await poll();
    // `reason` is set from callbacks; the cast keeps TypeScript from narrowing it to its initial value.
    if ((reason as FollowEnd) === 'push') await finalRead();
    return { video: last, reason };
  })();

  return {
    videoId,
    done,
    get requests() {
      return requests;
    },
    stop: () => end('stopped'),
    pushed: () => end('push'),
  };
}
