/** Why a wait ended. `closed`: the process is shutting down and the request should answer now. */
export type WakeReason = 'changed' | 'timeout' | 'aborted' | 'closed';

/**
 * One request's interest in one video. Wakes are latched: a change that lands between the
 * request's last read and its next `next()` is not lost, `next()` returns at once.
 */
export class ChangeWaiter {
  private latched: WakeReason | undefined;
  private resolveNext: ((reason: WakeReason) => void) | undefined;

  constructor(private readonly unregister: () => void) {}

  /** Called by the listener. */
  wake(reason: 'changed' | 'closed'): void {
    if (this.latched !== 'closed') this.latched = reason;
    this.flush();
  }

  /** Resolves on the next change (or a latched one), after `timeoutMs`, or when `signal` aborts. */
  next(timeoutMs: number, signal: AbortSignal): Promise<WakeReason> {
    return new Promise((resolve) => {
      const finish = (reason: WakeReason) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.resolveNext = undefined;
        resolve(reason);
      };
      const onAbort = () => finish('aborted');
      const timer = setTimeout(() => finish('timeout'), Math.max(0, timeoutMs));
      this.resolveNext = finish;
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.flush();
    });
  }

  /** Stops listening; must be called when the request is done, however it ended. */
  cancel(): void {
    this.unregister();
  }

  private flush(): void {
    if (!this.latched || !this.resolveNext) return;
    const reason = this.latched;
    // 'closed' stays latched: every later wait must end at once too.
    if (reason !== 'closed') this.latched = undefined;
    this.resolveNext(reason);
  }
}
