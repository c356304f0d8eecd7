/** Thrown inside an upload when its attempt stopped being the live one (deleted, superseded). */
export class AttemptSuperseded extends Error {
  override readonly name = 'AttemptSuperseded';
}

/** The attempt stored nothing for longer than the stall timeout (S3 hangs): aborted and handed back. */
export class UploadStalled extends Error {
  override readonly name = 'UploadStalled';
  readonly code = 'UPLOAD_STALLED';
}

/** The uploader is shutting down: the attempt is handed back to the queue, to be resumed elsewhere. */
export class ShuttingDown extends Error {
  override readonly name = 'ShuttingDown';
}

/** True when the stall watchdog should abort: nothing stored for `stallTimeoutMs`. Pure. */
export function isStalled(lastActivityMs: number, nowMs: number, stallTimeoutMs: number): boolean {
  return nowMs - lastActivityMs >= stallTimeoutMs;
}

/**
 * What keeps one attempt honest while it runs: a heartbeat that tells JetStream (`working()`)
 * and the journal (`touch()`) that the job is alive, and a watchdog that aborts the attempt when
 * no part has been stored for `stallTimeoutMs`. `activity()` is called on every stored part.
 */
export function watchAttempt(options: {
  readonly heartbeatMs: number;
  readonly stallTimeoutMs: number;
  readonly now: () => number;
  readonly heartbeat: () => void;
  readonly abort: AbortController;
  readonly shutdown?: AbortSignal;
}): { activity(): void; stop(): void } {
  const { now, abort } = options;
  let lastActivity = now();
  const heartbeat = setInterval(options.heartbeat, options.heartbeatMs);
  const watchdog = setInterval(
    () => {
      if (isStalled(lastActivity, now(), options.stallTimeoutMs)) {
        abort.abort(new UploadStalled(`no part stored for ${options.stallTimeoutMs} ms`));
      }
    },
    Math.max(50, Math.min(options.stallTimeoutMs / 4, 5_000)),
  );
  const onShutdown = () => abort.abort(new ShuttingDown('the uploader is shutting down'));
  if (options.shutdown?.aborted) onShutdown();
  options.shutdown?.addEventListener('abort', onShutdown, { once: true });
  return {
    activity: () => {
      lastActivity = now();
    },
    stop: () => {
      clearInterval(heartbeat);
      clearInterval(watchdog);
      options.shutdown?.removeEventListener('abort', onShutdown);
    },
  };
}
