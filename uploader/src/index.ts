export { startUploader } from './server';
export { startUploaderWorker, type UploaderDeps } from './worker';
export { objectKeyFor } from './uploadVideo/objectKey';
