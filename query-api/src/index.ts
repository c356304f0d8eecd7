/** The query API: read-only HTTP over the `video_info` read model. */
export { buildQueryApp, type QueryAppOptions } from './app';
export { startQueryApi, type RunningQueryApi } from './server';
