export * from './oneSignalStandIn';
