export * from './testDatabase';
export * from './eventStore';
export * from './s3';
export * from './freePort';
export * from './eventually';
export * from './fullDisk';
export * from './tcpProxy';
export * from './jwksServer';
