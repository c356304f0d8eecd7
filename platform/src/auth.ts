// `@reelay/platform/auth`: bearer tokens, signed and verified (jose). An entry point of its own so
// that the services that verify no tokens (the projector, notifier and uploader) never load jose
// (docs/production.md, "Loading only what is used").
export * from './auth/tokens';
export * from './auth/authenticate';
export * from './auth/jwksKeySource';
export * from './auth/verifiedTokenCache';
