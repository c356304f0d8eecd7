import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import {
  ERASED_TEXT,
  PERSONAL_META_INFO_FIELDS,
  parseSealedText,
  personalFieldContext,
  type MetaInfo,
  type RecordedVideoEvent,
  type VideoState,
} from '@reelay/contracts';
import type { Config } from '../config/config';
import { newDataKey, openSealedText, sealText, unwrapDataKey, wrapDataKey } from './cipher';
import { KeyCache, type CachedKey } from './keyCache';
import { keyEncryptionKeyFrom, type KeyEncryptionKey } from './keyEncryptionKey';
import { destroyKeysOf, insertLiveKey, isForgotten, lockKeysOf, lookUpKeys, migratePersonalDataKeys, type KeyRow } from './keyStore';

/** A sealed value names a key the key table has never held: the wrong database, or a lost table. */
export class UnknownDataKey extends Error {
  override readonly name = 'UnknownDataKey';
}

/**
 * The user was forgotten (`reelay forget-user`): nothing more of theirs is sealed or recorded.
 * The command API answers it with 403.
 */
export class UserErased extends Error {
  override readonly name = 'UserErased';
  constructor(readonly userId: string) {
    super(`the account of user ${userId} was erased (reelay forget-user): nothing more is accepted from it`);
  }
}

/** Keys were wrapped with another KEK than the one configured (`PERSONAL_DATA_KEK`). */
export class KeyEncryptionKeyMismatch extends Error {
  override readonly name = 'KeyEncryptionKeyMismatch';
}

export interface PersonalDataOptions {
  /**
   * How long an unwrapped key is kept in memory for reuse (default 30 s). Whether the key still
   * lives is asked of the table every time, whatever this says.
   */
  readonly cacheTtlMs?: number;
  /** Keys kept unwrapped at most (default 1000). */
  readonly cacheSize?: number;
}

export interface OpenOptions {
  /**
   * The transaction that will write what is opened into the read model: the keys are then read
   * in it, `for share` and never from the cache, so a concurrent forget either sees these rows
   * committed (and scrubs them) or has committed first (and they open as erased).
   */
  readonly transaction?: Knex.Transaction;
}

/** The associated data a data key is wrapped with: a wrapped key moved to another row does not unwrap. */
const wrapContext = (keyId: string, userId: string) => `reelay:personal-data-key:${keyId}:${userId}`;

/**
 * Personal data sealed per user (crypto-shredding). The command API seals what a user types
 * when it makes the event; the projector and the notifier open it where plaintext is needed; the
 * `forget-user` command destroys the user's keys, after which their sealed fields open as
 * `[erased]` everywhere, replays included, while the log stays as it was.
 */
export class PersonalDataVault {
  /** Unwrapped keys by key id: spares the unwrapping, never the question whether a key lives. */
  private readonly keys: KeyCache;

  constructor(
    private readonly knex: Knex,
    readonly kek: KeyEncryptionKey,
    options: PersonalDataOptions = {},
  ) {
    this.keys = new KeyCache({ maxEntries: options.cacheSize ?? 1000, ttlMs: options.cacheTtlMs ?? 30_000 });
  }

  static fromConfig(knex: Knex, config: Pick<Config, 'PERSONAL_DATA_KEK'>, options?: PersonalDataOptions): PersonalDataVault {
    return new PersonalDataVault(knex, keyEncryptionKeyFrom(config), options);
  }

  migrate(): Promise<void> {
    return migratePersonalDataKeys(this.knex);
  }

  /**
   * The meta info with every personal field sealed under the user's live key (made when missing).
   * Throws UserErased once the user was forgotten (see recordSealed).
   */
  sealMetaInfo(userId: string, videoId: string, metaInfo: MetaInfo): Promise<MetaInfo> {
    return this.recordSealed(userId, videoId, metaInfo, async (sealed) => sealed);
  }

  /**
   * Seals the meta info under the user's live key (made when missing) and hands it to `record`,
   * which appends it, while the user's key rows are held `for share` (keyStore's lockKeysOf). A
   * forget marks the user under an EXCLUSIVE lock of the table, so each recording either commits
   * before the mark (and the forget's scan of the log, which starts after it, finds the event) or
   * sees the mark and is refused with UserErased, having recorded nothing.
   */
  async recordSealed<T>(userId: string, videoId: string, metaInfo: MetaInfo, record: (sealed: MetaInfo) => Promise<T>): Promise<T> {
    for (;;) {
      const recorded = await this.knex.transaction(async (trx) => {
        const rows = await lockKeysOf(trx, userId);
        if (rows.some((row) => row.wrappedKey === null)) throw new UserErased(userId);
        const row = rows[0];
        if (!row) return undefined;
        const key = this.keys.get(row.keyId) ?? this.unwrap(row);
        this.keys.set(key.keyId, key);
        const sealed: Record<string, string> = {};
        for (const field of PERSONAL_META_INFO_FIELDS) sealed[field] = sealText(key.key as Buffer, key.keyId, metaInfo[field], personalFieldContext(videoId, field));
        return { value: await record({ ...metaInfo, ...sealed }) };
      });
      if (recorded) return recorded.value;
      await this.makeLiveKey(userId);
    }
  }

  /**
   * Makes the user's first key, committed on its own. Made inside the recording's transaction,
   * the key could be lost with it after the event was appended (the append commits on the event
   * store's connection): a Postgres restart between the two commits left an event sealed with a
   * key no row held, which the projector and the notifier then could not open.
   */
  private async makeLiveKey(userId: string): Promise<void> {
    await this.knex.transaction(async (trx) => {
      const rows = await lockKeysOf(trx, userId);
      if (rows.some((row) => row.wrappedKey === null)) throw new UserErased(userId);
      if (rows.length > 0) return;
      const keyId = randomUUID();
      // Another process may make the user's key at the same time: the table's unique index decides.
      await insertLiveKey(trx, { keyId, userId, wrappedKey: wrapDataKey(this.kek.key, newDataKey(), wrapContext(keyId, userId)), kekId: this.kek.id });
    });
  }

  /** Whether the user was forgotten; intake asks before reading a body (recordSealed decides). */
  isErased(userId: string): Promise<boolean> {
    return isForgotten(this.knex, userId);
  }

  /**
   * The events with the personal fields of each `UploadRequested` opened: plaintext while the
   * user's key lives, `[erased]` once it is destroyed. Plaintext written before sealing existed
   * passes through, unless its user has been forgotten since. Other events pass through as they are.
   */
  async openVideoEvents<E extends RecordedVideoEvent>(events: readonly E[], options: OpenOptions = {}): Promise<E[]> {
    const requests = events.filter((event) => event.type === 'UploadRequested');
    if (requests.length === 0) return [...events];
    const opened = await this.openAll(
      requests.map((event) => {
        const data = (event as Extract<RecordedVideoEvent, { type: 'UploadRequested' }>).data;
        return { userId: data.userId, videoId: data.videoId, metaInfo: data.metaInfo };
      }),
      options,
    );
    const byEvent = new Map(requests.map((event, index) => [event, opened[index] as MetaInfo]));
    return events.map((event) => {
      const metaInfo = byEvent.get(event);
      return metaInfo ? ({ ...event, data: { ...(event.data as object), metaInfo } } as E) : event;
    });
  }

  /** A folded video's state with its personal fields opened (see openVideoEvents). */
  async openState(state: VideoState, options: OpenOptions = {}): Promise<VideoState> {
    const [metaInfo] = await this.openAll([{ userId: state.userId, videoId: state.videoId, metaInfo: state.metaInfo }], options);
    return { ...state, metaInfo: metaInfo as MetaInfo };
  }

  /**
   * Destroys the user's keys in `trx` (see keyStore's locking) and forgets them in this process.
   * Returns the ids destroyed now; a user who had no key gets a tombstone (`hadKeys` false).
   */
  async destroyKeysOf(trx: Knex.Transaction, userId: string): Promise<{ destroyedKeyIds: string[]; hadKeys: boolean }> {
    const result = await destroyKeysOf(trx, userId, randomUUID());
    this.keys.evictUser(userId);
    return result;
  }

  private async openAll(items: ReadonlyArray<{ userId: string; videoId: string; metaInfo: MetaInfo }>, options: OpenOptions): Promise<MetaInfo[]> {
    const keyIds = new Set<string>();
    const plainUsers = new Set<string>();
    for (const { userId, metaInfo } of items) {
      for (const field of PERSONAL_META_INFO_FIELDS) {
        const sealed = parseSealedText(metaInfo[field]);
        if (sealed) keyIds.add(sealed.keyId);
        else plainUsers.add(userId);
      }
    }
    const { keys, forgottenUsers } = await this.resolve([...keyIds], [...plainUsers], options);
    return items.map(({ userId, videoId, metaInfo }) => {
      const opened: Record<string, string> = {};
      for (const field of PERSONAL_META_INFO_FIELDS) {
        const value = metaInfo[field];
        const sealed = parseSealedText(value);
        if (!sealed) {
          opened[field] = forgottenUsers.has(userId) ? ERASED_TEXT : value;
          continue;
        }
        const key = keys.get(sealed.keyId);
        if (!key) throw new UnknownDataKey(`video ${videoId}: its ${field} is sealed with key ${sealed.keyId}, which personal_data_keys never held (is DATABASE_URL the right database?)`);
        if (key.userId !== userId) throw new UnknownDataKey(`video ${videoId}: its ${field} is sealed with a key of another user`);
        opened[field] = key.key === null ? ERASED_TEXT : openSealedText(key.key, sealed, personalFieldContext(videoId, field));
      }
      return { ...metaInfo, ...opened };
    });
  }

  /**
   * The keys as the table has them now. Always asked, even for keys unwrapped before: a key that
   * another process destroyed a moment ago must open nothing here either (one indexed read per
   * batch or push; an earlier cache trusted live keys for 30 s).
   */
  private async resolve(keyIds: string[], plainUsers: string[], options: OpenOptions): Promise<{ keys: Map<string, CachedKey>; forgottenUsers: Set<string> }> {
    const keys = new Map<string, CachedKey>();
    if (keyIds.length === 0 && plainUsers.length === 0) return { keys, forgottenUsers: new Set() };
    const found = await lookUpKeys(options.transaction ?? this.knex, keyIds, plainUsers, { lock: options.transaction !== undefined });
    for (const keyId of keyIds) {
      const row = found.keys.get(keyId);
      if (!row) continue;
      // The row decides whether the key lives; a key this process unwrapped before is reused.
      const known = row.wrappedKey === null ? undefined : this.keys.get(keyId);
      const key = known?.key ? known : this.unwrap(row);
      this.keys.set(keyId, key);
      keys.set(keyId, key);
    }
    return { keys, forgottenUsers: found.forgottenUsers };
  }

  private unwrap(row: KeyRow): CachedKey {
    if (row.wrappedKey === null) return { keyId: row.keyId, userId: row.userId, key: null };
    if (row.kekId !== this.kek.id) {
      throw new KeyEncryptionKeyMismatch(`data key ${row.keyId} was wrapped with key-encryption key ${row.kekId}, but PERSONAL_DATA_KEK is ${this.kek.id}`);
    }
    return { keyId: row.keyId, userId: row.userId, key: unwrapDataKey(this.kek.key, row.wrappedKey, wrapContext(row.keyId, row.userId)) };
  }
}
