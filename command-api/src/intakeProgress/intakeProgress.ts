import type { Knex } from 'knex';
import { INTAKE_PROGRESS_TABLE } from '@reelay/platform';
import type { Logger } from '@reelay/platform';

export interface IntakeStart {
  readonly videoId: string;
  readonly userId: string;
  readonly metaInfo: { readonly title: string; readonly fileName: string; readonly contentType: string };
  readonly totalBytes: number | undefined;
}

/**
 * Writes how many bytes of each video have arrived to `intake_progress`, at most once per
 * `intervalMs` per video and one write at a time per video (the newest count wins), off the
 * request's path: a slow database slows the progress bar, never the upload.
 */
export class IntakeProgress {
  private readonly videos = new Map<string, { start: IntakeStart; received: number; writtenAt: number; writing: Promise<void> | undefined; dirty: boolean }>();

  constructor(
    private readonly knex: Knex,
    private readonly logger: Logger,
    private readonly intervalMs = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Bytes received so far (all of them, not this request's); the first call writes at once. */
  report(start: IntakeStart, receivedBytes: number): void {
    let video = this.videos.get(start.videoId);
    if (!video) {
      video = { start, received: receivedBytes, writtenAt: -Infinity, writing: undefined, dirty: true };
      this.videos.set(start.videoId, video);
    }
    video.start = start;
    video.received = receivedBytes;
    video.dirty = true;
    if (!video.writing && this.now() - video.writtenAt >= this.intervalMs) this.flush(start.videoId);
  }

  /** Writes the last count now (the request ended, or its bytes are all there); resolves when written. */
  async settle(videoId: string): Promise<void> {
    const video = this.videos.get(videoId);
    if (!video) return;
    await video.writing;
    if (video.dirty) await this.flush(videoId);
    this.videos.delete(videoId);
  }

  /** Forgets a video whose upload failed, was terminated or expired: it must leave no trace. */
  async remove(videoId: string): Promise<void> {
    const video = this.videos.get(videoId);
    this.videos.delete(videoId);
    await video?.writing;
    await this.knex(INTAKE_PROGRESS_TABLE).where({ video_id: videoId }).delete();
  }

  /** Removes rows not touched for `olderThanMs`: uploads long finished, or abandoned. */
  async removeOlderThan(olderThanMs: number): Promise<number> {
    return this.knex(INTAKE_PROGRESS_TABLE)
      .where('updated_at', '<', new Date(this.now() - olderThanMs))
      .delete();
  }

  private flush(videoId: string): Promise<void> {
    const video = this.videos.get(videoId);
    if (!video) return Promise.resolve();
    video.dirty = false;
    video.writtenAt = this.now();
    const { start, received } = video;
    const row = {
      video_id: start.videoId,
      user_id: start.userId,
      meta_info: JSON.stringify(start.metaInfo),
      received_bytes: received,
      total_bytes: start.totalBytes ?? null,
      updated_at: new Date(this.now()),
    };
    video.writing = this.knex(INTAKE_PROGRESS_TABLE)
      .insert(row)
      .onConflict('video_id')
      .merge(['received_bytes', 'total_bytes', 'updated_at'])
      .then(() => undefined)
      .catch((error: unknown) => this.logger.warn({ err: error, videoId }, 'could not record intake progress'))
      .finally(() => {
        video.writing = undefined;
        // Bytes that arrived while writing are written once the interval has passed.
        if (video.dirty && this.videos.get(videoId) === video) {
          const wait = Math.max(0, this.intervalMs - (this.now() - video.writtenAt));
          setTimeout(() => {
            if (!video.writing && video.dirty && this.videos.get(videoId) === video) void this.flush(videoId);
          }, wait).unref();
        }
      });
    return video.writing;
  }
}
