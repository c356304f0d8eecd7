/** The projector: the `video_info` read model, its migrations, the pure fold and the process. */
export { startProjector, VIDEO_INFO_LEASE, type RunningProjector, type StartProjectorOptions } from './startProjector';
export { migrateReadModel, READ_MODEL_MIGRATIONS_TABLE } from './readModel/migrateReadModel';
export { applyToVideoInfo } from './videoInfo/applyToVideoInfo';
export { foldBatch, foldInOrder, type FoldedBatch, type VideoEventOfBatch } from './videoInfo/foldBatch';
export { projectBatch, type BatchOutcome } from './videoInfo/projectBatch';
export { VideoInfoProjection, type ProjectionObserver, type VideoInfoProjectionOptions } from './videoInfo/videoInfoProjection';
export { VIDEO_INFO_CHANGED_CHANNEL, VIDEO_INFO_PROJECTION, type VideoInfo } from './videoInfo/videoInfo';
export { VIDEO_INFO_COLUMNS, type VideoInfoRecord } from './videoInfo/videoInfoRecord';
export { openPersonalData, PersonalDataVaultMissing } from './personalData/openPersonalData';
export { eraseUserFromReadModel } from './personalData/eraseUserFromReadModel';
export { readProjectionVersions, versionTable, activeTable, type ProjectionVersions } from './readModel/projectionVersions';
export { replayInto, type ReplayProgress } from './rebuild/replayInto';
export { rebuildVideoInfo, REBUILDABLE_PROJECTIONS, type RebuildOptions, type RebuildPhase, type RebuildResult } from './rebuild/rebuildVideoInfo';
export { RebuildAlreadyRunning } from './rebuild/rebuildLease';
export { verifyVideoInfo, type ReadModelDifference, type VerifyOptions, type VerifyResult } from './rebuild/verifyVideoInfo';
export { projectionStatus, projectionLease, type ProjectionStatus } from './rebuild/projectionStatus';
