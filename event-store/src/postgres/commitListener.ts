import pg from 'pg';

/**
 * One LISTEN connection shared by every subscription of a store. Waiters wake on a commit
 * notification, or after `safetyPollMs` at the latest: a notification can be missed while the
 * connection is being re-established, and an unrelated long transaction can hold rows back
 * after their own notification has fired.
 */
export class CommitListener {
  private client: pg.Client | undefined;
  private connecting: Promise<void> | undefined;
  private readonly waiters = new Set<() => void>();
  private closed = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly channel: string,
    private readonly safetyPollMs: number,
  ) {}

  /** Resolves on the next commit notification, after the safety interval, or when aborted. */
  async wait(signal: AbortSignal): Promise<void> {
    const connectedNow = await this.ensureListening().catch(() => false);
    // Commits between the reader's last query and this LISTEN would go unnoticed: read again.
    if (connectedNow || signal.aborted) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, this.safetyPollMs);
      this.waiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Resolves true when this call had to (re)connect, false when already listening. */
  private async ensureListening(): Promise<boolean> {
    if (this.closed || this.client) return false;
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    await this.connecting;
    return true;
  }

  private async connect(): Promise<void> {
    const options = this.pool.options;
    const client = new pg.Client({ ...options, application_name: `${options.application_name ?? 'reelay'}-listen` });
    client.on('notification', () => this.wakeAll());
    const dropped = () => {
      if (this.client !== client) return;
      this.client = undefined;
      client.end().catch(() => undefined);
      // Commits from now until the next LISTEN would notify nobody: wake the readers, who read
      // again and, on their next wait, listen again on a new connection.
      this.wakeAll();
    };
    client.on('error', dropped);
    client.on('end', dropped);
    await client.connect();
    await client.query(`listen ${pg.escapeIdentifier(this.channel)}`);
    if (this.closed) {
      await client.end();
      return;
    }
    this.client = client;
    // Readers already waiting may have missed commits made before this LISTEN.
    this.wakeAll();
  }

  private wakeAll(): void {
    for (const wake of [...this.waiters]) wake();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wakeAll();
    await this.connecting?.catch(() => undefined);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}
