import type { PreviousUpload, UrlStorage } from 'tus-js-client';

/**
 * Where unfinished uploads are remembered (tus-js-client's URL storage): by fingerprint of the
 * file, the upload URL on the server. Kept somewhere that outlives the app (AsyncStorage,
 * MMKV, localStorage), an upload resumes after the app is killed and started again.
 */
export type UploadUrlStorage = UrlStorage;

/** The smallest key-value store: AsyncStorage, localStorage and MMKV wrappers all fit. */
export interface KeyValueStore {
  getItem(key: string): string | null | Promise<string | null>;
  setItem(key: string, value: string): void | Promise<void>;
  removeItem(key: string): void | Promise<void>;
}

type Entries = Record<string, { fingerprint: string; upload: PreviousUpload }>;

/**
 * A URL storage over any key-value store, kept as one JSON entry under `key`. One entry (not a
 * key per upload) because AsyncStorage-like stores cannot list keys by prefix everywhere.
 */
export function keyValueUrlStorage(store: KeyValueStore, key = 'reelay:uploads'): UploadUrlStorage {
  // Writes are serialised: two uploads starting together must not overwrite each other's entry.
  let queue: Promise<unknown> = Promise.resolve();
  const read = async (): Promise<Entries> => {
    const text = await store.getItem(key);
    try {
      return text ? (JSON.parse(text) as Entries) : {};
    } catch {
      return {};
    }
  };
  const change = <T>(edit: (entries: Entries) => T): Promise<T> => {
    const next = queue.then(async () => {
      const entries = await read();
      const result = edit(entries);
      await store.setItem(key, JSON.stringify(entries));
      return result;
    });
    queue = next.catch(() => undefined);
    return next;
  };
  let counter = 0;
  return {
    async findAllUploads() {
      return Object.entries(await read()).map(([storageKey, entry]) => ({ ...entry.upload, urlStorageKey: storageKey }));
    },
    async findUploadsByFingerprint(fingerprint) {
      return Object.entries(await read())
        .filter(([, entry]) => entry.fingerprint === fingerprint)
        .map(([storageKey, entry]) => ({ ...entry.upload, urlStorageKey: storageKey }));
    },
    removeUpload: (storageKey) =>
      change((entries) => {
        delete entries[storageKey];
      }),
    addUpload: (fingerprint, upload) =>
      change((entries) => {
        const storageKey = `${fingerprint}::${Date.now().toString(36)}${(counter++).toString(36)}`;
        entries[storageKey] = { fingerprint, upload };
        return storageKey;
      }),
  };
}

/** Lives as long as the app's process: uploads resume after a lost connection, not after a restart. */
export function memoryUrlStorage(): UploadUrlStorage {
  const values = new Map<string, string>();
  return keyValueUrlStorage({
    getItem: (k) => values.get(k) ?? null,
    setItem: (k, v) => void values.set(k, v),
    removeItem: (k) => void values.delete(k),
  });
}
