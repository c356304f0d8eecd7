import { followVideo, type FollowOptions, type VideoFollower } from './followVideo';
import { ApiTransport, type TokenSource } from './http';
import { pushedStatusOf } from './push';
import type { VideoList, VideoStatus, VideoView } from './types';
import { uploadVideo, type UploadHandle, type UploadOptions, type UploadSource } from './uploadVideo';
import { memoryUrlStorage, type UploadUrlStorage } from './urlStorage';

export interface ReelayClientOptions {
  /** The command API's base URL (uploads, delete, retry). */
  readonly commandApiUrl: string;
  /** The query API's base URL (status, lists). */
  readonly queryApiUrl: string;
  /** The user's bearer token, or a function returning a current one. */
  readonly token: TokenSource;
  /**
   * Where unfinished uploads are remembered. Pass persistent storage (`keyValueUrlStorage(AsyncStorage)`,
   * `keyValueUrlStorage(localStorage)`) to resume after an app restart; the default lives in memory.
   */
  readonly urlStorage?: UploadUrlStorage;
  /** Keeps stored uploads of different users apart on a shared device, e.g. the user id. */
  readonly fingerprintScope?: string;
  /** Defaults to the platform's `fetch` (browsers, React Native, Node ≥ 18). */
  readonly fetch?: typeof fetch;
}

export interface ListVideosOptions {
  readonly status?: VideoStatus;
  readonly limit?: number;
  readonly cursor?: string;
}

/**
 * Reelay for an app: upload videos resumably, read and follow their status, and let a push end
 * the following. Uses only `fetch`, `AbortController` and timers (and tus-js-client's browser or
 * React Native build), so the same code runs on phones and in browsers.
 */
export class ReelayClient {
  private readonly transport: ApiTransport;
  private readonly urlStorage: UploadUrlStorage;
  private readonly fingerprintScope: string;
  private readonly followers = new Map<string, Set<VideoFollower>>();

  constructor(options: ReelayClientOptions) {
    const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.transport = new ApiTransport(options, options.token, fetchImpl);
    this.urlStorage = options.urlStorage ?? memoryUrlStorage();
    this.fingerprintScope = options.fingerprintScope ?? '';
  }

  /** Starts a resumable upload; uploading the same file again after an interruption resumes it. */
  upload(source: UploadSource, options: UploadOptions): UploadHandle {
    return uploadVideo(this.transport, source, options, { urlStorage: this.urlStorage, fingerprintScope: this.fingerprintScope });
  }

  getVideo(videoId: string): Promise<VideoView> {
    return this.transport.json<VideoView>(`${this.transport.queryApiUrl}/v1/videos/${encodeURIComponent(videoId)}`);
  }

  /** The caller's videos, newest first, one page at a time. */
  listVideos(options: ListVideosOptions = {}): Promise<VideoList> {
    // By hand: React Native's URLSearchParams lacks most methods.
    const query = Object.entries({ status: options.status, limit: options.limit, cursor: options.cursor })
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => `${name}=${encodeURIComponent(String(value))}`);
    const suffix = query.length > 0 ? `?${query.join('&')}` : '';
    return this.transport.json<VideoList>(`${this.transport.queryApiUrl}/v1/users/me/videos${suffix}`);
  }

  /** Follows a video until it is terminal, a push for it arrives (`handlePush`), or it is stopped. */
  followVideo(videoId: string, options: FollowOptions = {}): VideoFollower {
    const follower = followVideo(this.transport, videoId, options);
    const set = this.followers.get(videoId) ?? new Set();
    set.add(follower);
    this.followers.set(videoId, set);
    const forget = () => {
      set.delete(follower);
      if (set.size === 0) this.followers.delete(videoId);
    };
    follower.done.then(forget, forget);
    return follower;
  }

  /**
   * Hand every push the app receives to this: a Reelay push ends the following of its video
   * (after one last read). Returns whether the push was one of ours for a video being followed.
   */
  handlePush(payload: unknown): boolean {
    const pushed = pushedStatusOf(payload);
    const followers = pushed && this.followers.get(pushed.videoId);
    if (!pushed || !followers) return false;
    for (const follower of followers) follower.pushed(pushed.status);
    return true;
  }

  async deleteVideo(videoId: string): Promise<void> {
    await this.transport.json(`${this.transport.commandApiUrl}/v1/videos/${encodeURIComponent(videoId)}`, { method: 'DELETE' });
  }

  async retryUpload(videoId: string): Promise<void> {
    await this.transport.json(`${this.transport.commandApiUrl}/v1/videos/${encodeURIComponent(videoId)}/retry`, { method: 'POST' });
  }
}
