export { buildCommandApp, commandApiLimits, type CommandAppDeps, type CommandApiLimits } from './app';
export { startCommandApi, type RunningCommandApi } from './server';
export { startJobRelay, JOB_RELAY_CHECKPOINT } from './jobRelay/jobRelay';
export { jobForEvent } from './jobRelay/jobForEvent';
export { detectVideoContainer } from './requestUpload/videoSignature';
export { sweepStaging, type SweepReport } from './stagingSweeper/sweepStaging';
export { startStagingSweeper, type StagingSweeper } from './stagingSweeper/startStagingSweeper';
export { fileTusArea } from './resumableUpload/fileTusArea';
export { PostgresLocker } from './resumableUpload/postgresLocker';
