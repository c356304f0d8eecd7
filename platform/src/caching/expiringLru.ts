/**
 * A map bounded in size and in time: `get` answers only entries not yet expired, and `set` forgets
 * the least recently used entry beyond `maxEntries`. The caches of the services (unwrapped data
 * keys, read-model rows) are this plus their own rules of what may be kept.
 */
export class ExpiringLru<K, V> {
  /** Insertion order is recency: a read re-inserts, so the first key is the least recently used. */
  private readonly entries = new Map<K, { value: V; expiresAt: number }>();
  readonly now: () => number;

  constructor(private readonly options: { maxEntries: number; now?: () => number }) {
    this.now = options.now ?? Date.now;
  }

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= this.now()) return undefined;
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Keeps `value` until the time `expiresAt` (`Infinity`: until it is pushed out or deleted). */
  set(key: K, value: V, expiresAt: number): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt });
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  /** Deletes every entry whose value matches. */
  deleteWhere(matches: (value: V) => boolean): void {
    for (const [key, entry] of this.entries) if (matches(entry.value)) this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
