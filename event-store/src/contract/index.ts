// `@reelay/event-store/contract`: the suite every EventStore adapter must pass, and the torture
// test behind it. Test machinery: loaded by adapters' tests, never by production code.
export * from './eventStoreContract';
export * from './torture';
