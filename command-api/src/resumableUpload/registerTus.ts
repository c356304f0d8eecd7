import type { IncomingMessage } from 'node:http';
import type { Locker } from '@tus/utils';
import type { HttpApp, Logger, PersonalDataVault, StagingStore } from '@reelay/platform';
import type { EventStore } from '@reelay/event-store';
import type { IntakeProgress, IntakeStart } from '../intakeProgress/intakeProgress';
import type { UploadSlots } from '../requestUpload/uploadSlots';
import { registerResumableUpload } from './resumableUploadRoutes';
import { headVerdict } from './headVerdict';
import { StagingTusStore } from './stagingTusStore';
import type { TusArea } from './tusArea';
import type { RecordUploadDeps } from '../requestUpload/recordUploadRequested';
import type { OpenUploads } from './openUploads';
import { createTusServer, videoIdOfUpload, type TusRequestContext, type TusServerDeps } from './tusServer';
import { describeUpload } from './uploadMetadata';
import { ownerOf } from './uploadOwner';

export interface TusDeps {
  readonly area: TusArea;
  readonly events: EventStore;
  /** Seals the title and file name before UploadRequested is recorded; refuses forgotten users. */
  readonly personalData: RecordUploadDeps['personalData'] & Pick<PersonalDataVault, 'isErased'>;
  readonly staging: StagingStore;
  readonly slots: UploadSlots;
  readonly maxUploadBytes: number;
  readonly idleTimeoutMs: number;
  /** An unfinished upload is removed this long after its creation; its record too once finished. */
  readonly expirationMs: number;
  readonly progress: IntakeProgress | undefined;
  readonly logger: Logger;
  /** Upload locks shared by every command API process. */
  readonly locker: Locker;
  /** Each user's places for unfinished uploads (MAX_OPEN_UPLOADS_PER_USER). */
  readonly openUploads: OpenUploads;
  readonly claims?: TusServerDeps['claims'];
}

/** Mounts tus at `/v1/uploads`; returns the store, whose `deleteExpired()` the expiry timer calls. */
export function registerTus(app: HttpApp, deps: TusDeps): StagingTusStore {
  const { area, progress } = deps;
  // Per request's Upload object: what the progress row says about it, worked out once.
  const intakes = new WeakMap<object, IntakeStart>();
  const store = new StagingTusStore({
    area,
    idleTimeoutMs: deps.idleTimeoutMs,
    expirationMs: deps.expirationMs,
    judgeHead: headVerdict,
    observer: {
      onBytes(upload, receivedBytes) {
        if (!progress) return;
        let start = intakes.get(upload);
        if (!start) {
          const videoId = videoIdOfUpload(area, upload.id);
          const userId = ownerOf(upload);
          if (!videoId || !userId) return;
          start = { videoId, userId, metaInfo: describeUpload(upload.metadata), totalBytes: upload.size };
          intakes.set(upload, start);
        }
        progress.report(start, receivedBytes);
      },
      async onGone(id) {
        const videoId = videoIdOfUpload(area, id);
        if (progress && videoId) progress.remove(videoId).catch((error: unknown) => deps.logger.warn({ err: error, videoId }, 'could not remove intake progress'));
        // Before the request that removed it answers: a client that terminates one upload to start another finds its place free.
        await deps.openUploads.close(id).catch((error: unknown) => deps.logger.warn({ err: error, id }, 'could not give back an open upload place (it frees itself at expiry)'));
      },
    },
  });
  const contexts = new WeakMap<IncomingMessage, TusRequestContext>();
  const tus = createTusServer({ store, area, events: deps.events, personalData: deps.personalData, staging: deps.staging, maxUploadBytes: deps.maxUploadBytes, contexts, locker: deps.locker, openUploads: deps.openUploads, claims: deps.claims });
  registerResumableUpload(app, {
    tus,
    store,
    area,
    slots: deps.slots,
    personalData: deps.personalData,
    contexts,
    context: (userId, requestId, log, uploadId) => ({
      userId,
      uploadId,
      requestId,
      onRecorded: async (videoId) => {
        await progress?.settle(videoId);
      },
      onCleanupError: (error) => log.error({ err: error }, 'tus upload could not be recorded or cleaned up'),
    }),
  });
  return store;
}
