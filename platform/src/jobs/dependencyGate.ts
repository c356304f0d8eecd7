import type { Logger } from '../logging/logger';

/** How long the `ready` check before a pull may take before the dependency counts as down. */
const READY_CHECK_TIMEOUT_MS = 3_000;

/**
 * Whether what every job needs is up (ConsumeOptions.ready), asked before each pull; logs once
 * when it goes down and once when it is back, not at every pull in between.
 */
export class DependencyGate {
  private waiting = false;

  constructor(
    private readonly ready: (() => Promise<unknown>) | undefined,
    private readonly logger: Logger,
  ) {}

  async up(): Promise<boolean> {
    if (!this.ready) return true;
    const up = await withTimeout(this.ready(), READY_CHECK_TIMEOUT_MS).then(
      () => true,
      () => false,
    );
    if (up === this.waiting) {
      this.waiting = !up;
      if (up) this.logger.info('dependencies are back; taking jobs again');
      else this.logger.warn('a dependency is down; taking no jobs until it is back');
    }
    return up;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
