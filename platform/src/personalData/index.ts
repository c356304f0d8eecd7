export { PersonalDataTampered, sealText, openSealedText } from './cipher';
export { KeyCache } from './keyCache';
export { keyEncryptionKeyFrom, DEVELOPMENT_KEK_WARNING, type KeyEncryptionKey } from './keyEncryptionKey';
export { PERSONAL_DATA_KEYS_TABLE, migratePersonalDataKeys, userHasKeyRows } from './keyStore';
export { PersonalDataVault, UserErased, UnknownDataKey, KeyEncryptionKeyMismatch, type PersonalDataOptions, type OpenOptions } from './personalDataVault';
