import type { Knex } from 'knex';
import { PERSONAL_META_INFO_FIELDS, isSealedText, type RecordedVideoEvent } from '@reelay/contracts';
import type { PersonalDataVault } from '@reelay/platform';

/** A projection met sealed personal data but was given no vault to open it with. */
export class PersonalDataVaultMissing extends Error {
  override readonly name = 'PersonalDataVaultMissing';
}

/**
 * The decrypt step of the read model: opens the personal fields of the batch's `UploadRequested`
 * events inside the batch's transaction, before they are folded into rows, so `meta_info` holds
 * plaintext while the user's key lives and `[erased]` once it is destroyed — on the live
 * projection, a rebuild and a replay alike. The keys are read in `trx` (see PersonalDataVault's
 * `OpenOptions`): a concurrent `forget-user` cannot slip plaintext past its scrub.
 *
 * Without a vault, sealed data stops the batch rather than reaching the read model as ciphertext;
 * events without sealed fields (tests, logs written before sealing) pass through.
 */
export async function openPersonalData<E extends RecordedVideoEvent>(vault: PersonalDataVault | undefined, trx: Knex.Transaction, events: readonly E[]): Promise<E[]> {
  if (vault) return vault.openVideoEvents(events, { transaction: trx });
  for (const event of events) {
    if (event.type !== 'UploadRequested') continue;
    const { metaInfo } = (event as Extract<RecordedVideoEvent, { type: 'UploadRequested' }>).data;
    if (PERSONAL_META_INFO_FIELDS.some((field) => isSealedText(metaInfo[field]))) {
      throw new PersonalDataVaultMissing(`${event.streamName} holds sealed personal data, and this projection was started without a PersonalDataVault`);
    }
  }
  return [...events];
}
