/**
 * The channel the projector notifies with a video's id whenever its `video_info` row changes.
 * It mirrors the projector's VIDEO_INFO_CHANGED_CHANNEL: this package may import only contracts
 * and platform, and a test here proves the two agree.
 */
export const VIDEO_INFO_CHANGED_CHANNEL = 'video_info_changed';
