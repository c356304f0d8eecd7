export { startDemo } from './server';
export { buildDemoApp, type DemoAppOptions } from './app';
export { PushFeed, type RecordedPush } from './pushFeed';
