/**
 * Shared set-up of the notifier's integration tests: a real event store and read-model database
 * of the test's own, the OneSignal stand-in, and notifiers started on them. Not used in production.
 */
import { randomUUID } from 'node:crypto';
import { newEvent, UserId, VideoId, comparePositions, videoStreamName, type NewEvent, type RecordedEvent } from '@reelay/contracts';
import { createLogger, loadConfig, type Config } from '@reelay/platform';
import type { EventStore } from '@reelay/event-store';
import { createTestDatabase, createTestEventStore, eventually } from '@reelay/testing';
import { startOneSignalStandIn, type OneSignalStandIn } from './oneSignalStandIn';
import { startNotifier, type NotifierOptions, type RunningNotifier } from '../startNotifier';

export const TEST_API_KEY = 'test-rest-api-key';
export const TEST_APP_ID = 'test-app-id';

/** Short waits, so retry and restart paths run in milliseconds. */
export const FAST_OPTIONS: NotifierOptions = {
  retry: { maxAttempts: 3, initialMs: 5, maxMs: 20, jitter: 'equal' },
  restartDelayMs: 100,
};

export interface NotifierTestEnvironment {
  readonly store: EventStore;
  readonly eventStoreUrl: string;
  readonly readModelUrl: string;
  readonly standIn: OneSignalStandIn;
  /** A configuration pointing at this environment; OneSignal keys set unless overridden. */
  config(overrides?: Record<string, string | undefined>): Config;
  /** Starts a notifier copy; `dispose` stops it if the test did not. */
  startNotifier(options?: NotifierOptions, config?: Config): Promise<RunningNotifier>;
  dispose(): Promise<void>;
}

export async function createNotifierTestEnvironment(): Promise<NotifierTestEnvironment> {
  const events = await createTestEventStore({ safetyPollMs: 200 });
  const readModel = await createTestDatabase('reelay_notifier_test');
  const standIn = await startOneSignalStandIn();
  const running = new Set<RunningNotifier>();
  const config = (overrides: Record<string, string | undefined> = {}) =>
    loadConfig({
      DATABASE_URL: readModel.url,
      EVENT_STORE_URL: events.url,
      NOTIFIER_OPS_PORT: '0',
      ONESIGNAL_APP_ID: TEST_APP_ID,
      ONESIGNAL_API_KEY: TEST_API_KEY,
      ONESIGNAL_API_URL: standIn.url,
      ...overrides,
    });
  return {
    store: events.store,
    eventStoreUrl: events.url,
    readModelUrl: readModel.url,
    standIn,
    config,
    async startNotifier(options = FAST_OPTIONS, withConfig = config()) {
      const notifier = await startNotifier(withConfig, createLogger('notifier-test', 'silent'), options);
      const tracked: RunningNotifier = {
        ...notifier,
        position: () => notifier.position(),
        async stop() {
          running.delete(tracked);
          await notifier.stop();
        },
      };
      running.add(tracked);
      return tracked;
    },
    async dispose() {
      await Promise.all([...running].map((notifier) => notifier.stop()));
      await standIn.close();
      await events.dispose();
      await readModel.drop();
    },
  };
}

export interface RecordedUpload {
  readonly videoId: string;
  readonly userId: string;
  readonly title: string;
  /** The id of the UploadCompleted or UploadFailed event. */
  readonly terminalEventId: string;
  readonly correlationId: string;
}

/** Appends a whole upload to a new video stream, ending in `outcome`. */
export async function recordUpload(
  store: EventStore,
  outcome: 'completed' | 'failed',
  options: { userId?: string; title?: string; thenDeleted?: boolean } = {},
): Promise<RecordedUpload> {
  const videoId = randomUUID();
  const userId = options.userId ?? `user-${randomUUID().slice(0, 8)}`;
  const title = options.title ?? 'Holiday in Lisbon';
  const correlationId = randomUUID();
  const metadata = { correlationId, causationId: correlationId, userId };
  const objectKey = `videos/${videoId}`;
  const requested = newEvent(
    {
      type: 'UploadRequested',
      data: {
        videoId: VideoId.parse(videoId),
        userId: UserId.parse(userId),
        metaInfo: { title, fileName: 'lisbon.mp4', contentType: 'video/mp4', sizeBytes: 1024, sha256: 'ab'.repeat(32) },
        stagingRef: `file:///tmp/staging/${videoId}`,
      },
    },
    metadata,
  );
  const terminal =
    outcome === 'completed'
      ? newEvent({ type: 'UploadCompleted', data: { attempt: 1, bucket: 'videos', objectKey, etag: '"e"', sizeBytes: 1024, durationMs: 40 } }, metadata)
      : newEvent({ type: 'UploadFailed', data: { reason: 'the staged copy is unreadable', code: 'STAGING_UNREADABLE', attempt: 1, retryable: false } }, metadata);
  const events: NewEvent[] =
    outcome === 'completed'
      ? [requested, newEvent({ type: 'UploadStarted', data: { attempt: 1, bucket: 'videos', objectKey } }, metadata), terminal]
      : [requested, terminal];
  if (options.thenDeleted) events.push(newEvent({ type: 'VideoDeleted', data: { deletedBy: UserId.parse(userId) } }, metadata));
  await store.appendToStream(videoStreamName(videoId), events, { expectedRevision: 'no_stream' });
  return { videoId, userId, title, terminalEventId: terminal.id, correlationId };
}

/** The NotificationSent / NotificationFailed events of a video's stream. */
export async function notificationsOf(store: EventStore, videoId: string): Promise<RecordedEvent[]> {
  const events = await store.readStream(videoStreamName(videoId));
  return events.filter((event) => event.type === 'NotificationSent' || event.type === 'NotificationFailed');
}


/** Waits until `notifier` has handled everything in the log, its own records included. */
export async function caughtUp(notifier: RunningNotifier, store: EventStore): Promise<void> {
  await eventually(async () => {
    const head = await store.headPosition();
    if (comparePositions(notifier.position(), head) < 0) throw new Error('the notifier is behind the head of the log');
  });
}
