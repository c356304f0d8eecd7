/**
 * A small LRU of unwrapped data keys with a time to live, which bounds how long a key stays
 * unwrapped in memory. It saves unwrapping only: the vault asks the table whether a key still
 * lives every time (see PersonalDataVault.resolve).
 */
export interface CachedKey {
  readonly keyId: string;
  readonly userId: string;
  /** Null: destroyed. */
  readonly key: Buffer | null;
}

export class KeyCache {
  private readonly entries = new Map<string, { value: CachedKey; expiresAt: number }>();

  constructor(
    private readonly options: { maxEntries: number; ttlMs: number; now?: () => number },
  ) {}

  get(keyId: string): CachedKey | undefined {
    const entry = this.entries.get(keyId);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(keyId);
      return undefined;
    }
    // Most recently used last: Map keeps insertion order.
    this.entries.delete(keyId);
    this.entries.set(keyId, entry);
    return entry.value;
  }

  set(keyId: string, value: CachedKey): void {
    this.entries.delete(keyId);
    const expiresAt = value.key === null ? Number.POSITIVE_INFINITY : this.now() + this.options.ttlMs;
    this.entries.set(keyId, { value, expiresAt });
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  /** Forgets every key of the user (after this process destroyed them). */
  evictUser(userId: string): void {
    for (const [keyId, entry] of this.entries) if (entry.value.userId === userId) this.entries.delete(keyId);
  }

  get size(): number {
    return this.entries.size;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}
