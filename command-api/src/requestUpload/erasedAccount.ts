import { HttpError, type PersonalDataVault } from '@reelay/platform';

/** Why a forgotten user's upload is refused; the same words on every intake route. */
export const erasedAccountDetail = (userId: string) =>
  `the account of user ${userId} was erased (reelay forget-user): no upload is accepted for it any more; nothing was recorded`;

/**
 * `403` problem+json for a forgotten user's upload. Not 401 (the token is valid, a new one would
 * not help) and not 404 (the route exists): the refusal is for good, and a client must not retry.
 */
export function erasedAccount(userId: string, headers: Record<string, string> = {}): HttpError {
  return new HttpError(403, 'forbidden', erasedAccountDetail(userId), headers);
}

/**
 * Refuses a forgotten user before a byte of their body is read. Only a first answer: the
 * authoritative check is the one made while recording (PersonalDataVault.recordSealed), which a
 * forget that begins after this check still reaches.
 */
export async function refuseErasedAccount(personalData: Pick<PersonalDataVault, 'isErased'>, userId: string, headers?: Record<string, string>): Promise<void> {
  if (await personalData.isErased(userId)) throw erasedAccount(userId, headers);
}
