import { ExpiringLru } from '../caching/expiringLru';

export interface CachedKey {
  readonly keyId: string;
  readonly userId: string;
  /** Null: destroyed. */
  readonly key: Buffer | null;
}

/**
 * A small LRU of unwrapped data keys with a time to live, which bounds how long a key stays
 * unwrapped in memory. It saves unwrapping only: the vault asks the table whether a key still
 * lives every time (see PersonalDataVault.resolve). A destroyed key is remembered as destroyed for
 * good, since nothing brings it back.
 */
export class KeyCache {
  private readonly entries: ExpiringLru<string, CachedKey>;

  constructor(private readonly options: { maxEntries: number; ttlMs: number; now?: () => number }) {
    this.entries = new ExpiringLru(options);
  }

  get(keyId: string): CachedKey | undefined {
    return this.entries.get(keyId);
  }

  set(keyId: string, value: CachedKey): void {
    this.entries.set(keyId, value, value.key === null ? Number.POSITIVE_INFINITY : this.entries.now() + this.options.ttlMs);
  }

  /** Forgets every key of the user (after this process destroyed them). */
  evictUser(userId: string): void {
    this.entries.deleteWhere((key) => key.userId === userId);
  }

  get size(): number {
    return this.entries.size;
  }
}
