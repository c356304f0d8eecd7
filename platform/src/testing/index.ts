export * from './testDatabase';
export * from './eventStore';
export * from './s3';
export * from './throttlingProxy';
export * from './freePort';
export * from './eventually';
