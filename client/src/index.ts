export { ReelayClient, type ReelayClientOptions, type ListVideosOptions } from './reelayClient';
export { followVideo, type FollowOptions, type FollowResult, type FollowEnd, type VideoFollower } from './followVideo';
export { uploadVideo, UploadStopped, VIDEO_ID_HEADER, type UploadSource, type UploadOptions, type UploadProgress, type UploadResult, type UploadHandle } from './uploadVideo';
export { keyValueUrlStorage, memoryUrlStorage, type KeyValueStore, type UploadUrlStorage } from './urlStorage';
export { pushedStatusOf, type PushedStatus } from './push';
export { ReelayHttpError } from './errors';
export { DEFAULT_BACKOFF, backoffDelay, type BackoffPolicy } from './backoff';
export { ApiTransport, type ApiEndpoints, type TokenSource } from './http';
export { TERMINAL, isTerminal, type Problem, type UploadAccepted, type VideoId, type VideoList, type VideoStatus, type VideoView } from './types';
