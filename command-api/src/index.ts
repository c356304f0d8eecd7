export { buildCommandApp, type CommandAppDeps } from './app';
export { startCommandApi, type RunningCommandApi } from './server';
export { startJobRelay, JOB_RELAY_CHECKPOINT } from './jobRelay/jobRelay';
export { jobForEvent } from './jobRelay/jobForEvent';
export { detectVideoContainer } from './requestUpload/videoSignature';
