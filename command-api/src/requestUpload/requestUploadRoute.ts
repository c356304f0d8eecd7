import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { ContentSha256, DuplicateFound, UploadAccepted, VideoId, type UserId } from '@reelay/contracts';
import { ContentMismatch, type ContentClaims } from '../contentDedupe/contentClaims';
import type { IntakeProgress } from '../intakeProgress/intakeProgress';
import {
  HttpError,
  UserErased,
  closeWaitsFor,
  HEAD_BYTES,
  type HttpApp,
  zodRoutes,
  type PersonalDataVault,
  type StagedFile,
  type StagingStore,
} from '@reelay/platform';
import { WrongExpectedVersion, type EventStore } from '@reelay/event-store';
import { RecordOutcomeUnknown, recordUploadRequested, type RecordUploadDeps } from './recordUploadRequested';
import { IDEMPOTENCY_KEY_PATTERN, videoIdForIdempotencyKey } from './idempotencyKey';
import { checkIdempotentReplay } from './idempotentReplay';
import { erasedAccount, refuseErasedAccount } from './erasedAccount';
import { NotAVideo, problemForStagingFailure } from './stagingFailures';
import { stagingNameFor } from './stagingName';
import { RequestUploadQuery } from './uploadQuery';
import type { UploadSlots } from './uploadSlots';
import { detectVideoContainer } from './videoSignature';

export interface RequestUploadDeps {
  readonly store: EventStore;
  readonly staging: StagingStore;
  readonly maxUploadBytes: number;
  /** Uploads streaming at once, per user. */
  readonly slots: UploadSlots;
  /** A body that sends nothing for this long is cut off with 408. */
  readonly idleTimeoutMs: number;
  /** Base of the `Location` header: where the app polls the video's status. */
  readonly queryApiUrl: string;
  /** Seals the title and file name with the user's data key before they are recorded; opens them to compare a repeated Idempotency-Key. */
  readonly personalData: RecordUploadDeps['personalData'] & Pick<PersonalDataVault, 'openVideoEvents' | 'isErased'>;
  readonly onAccepted?: (sizeBytes: number) => void;
  /** Where the bytes received so far are written while the body streams in. */
  readonly progress?: IntakeProgress;
  /** Checks a declared SHA-256 and remembers recorded content (see contentDedupe). */
  readonly claims?: ContentClaims;
}

const Headers = z.looseObject({
  'content-type': z.string(),
  'idempotency-key': z.string().regex(IDEMPOTENCY_KEY_PATTERN, 'must be 1 to 255 printable ASCII characters').optional(),
  /** The file's SHA-256: content the user already has is answered 200 without its bytes; other bytes fail the upload (422). */
  'reelay-content-sha256': ContentSha256.optional(),
});

/** How long a client refused for too many uploads at once is told to wait. */
const BUSY_RETRY_AFTER_SECONDS = '10';
const RECORD_OUTCOME_UNKNOWN =
  'the event store stopped answering while the upload was being recorded, so it may or may not have been; ' +
  'retry with the same Idempotency-Key to get its video either way (without one, a retry may record the video twice)';

/**
 * `POST /v1/videos`: streams the body into staging while hashing it and checking its first
 * bytes, then records `UploadRequested`. Nothing is recorded unless the whole body is staged,
 * and nothing stays staged unless the event is recorded. Everything that can be refused
 * without the body (size declared too large, parameters, too many uploads at once) is refused
 * before a byte of it is read.
 */
export function registerRequestUpload(app: HttpApp, deps: RequestUploadDeps): void {
  // In a scope of its own so that only video bodies reach this route (anything else: 415), and
  // the raw stream is handed to the handler: fastify must not buffer a video.
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(/^video\/[a-z0-9.+-]+$/i, (_request, payload, done) => done(null, payload));
    registerRoute(zodRoutes(scope), deps);
  });
}

function registerRoute(app: HttpApp, deps: RequestUploadDeps): void {
  // An upload whose client went away still removes what it staged; closing waits for that.
  const inFlight = closeWaitsFor(app);
  app.post(
    '/v1/videos',
    { schema: { querystring: RequestUploadQuery, headers: Headers, response: { 202: UploadAccepted, 200: DuplicateFound } } },
    async (request, reply) => {
      const ended = inFlight.begin();
      try {
        const userId = request.userId;
        const declaredLength = Number(request.headers['content-length']);
        if (declaredLength > deps.maxUploadBytes) {
          throw new HttpError(413, 'too-large', `the video is ${declaredLength} bytes; at most ${deps.maxUploadBytes} are accepted`);
        }
        // A forgotten user's body is not read at all (recording would refuse it anyway).
        await refuseErasedAccount(deps.personalData, userId);
        const key = request.headers['idempotency-key'];
        const videoId = key ? videoIdForIdempotencyKey(userId, key) : VideoId.parse(randomUUID());
        const accepted = () =>
          reply.code(202).header('location', `${deps.queryApiUrl}/v1/videos/${videoId}`).send({ videoId, status: 'PENDING' as const });

        const release = deps.slots.tryAcquire(userId);
        if (!release) {
          throw new HttpError(
            429,
            'too-many-uploads',
            `at most ${deps.slots.perUser} uploads per user may stream at the same time; retry when one has finished`,
            { 'retry-after': BUSY_RETRY_AFTER_SECONDS },
          );
        }
        const fingerprint = { title: request.query.title, fileName: request.query.fileName };
        // A retry of a recorded upload gets the first answer; the same key for anything else is
        // refused (422), as is a key whose video was deleted since (409). See idempotentReplay.ts.
        if (key && (await checkIdempotentReplay(deps, videoId, { ...fingerprint, sizeBytes: declaredLength || undefined }, request.raw).catch((error: unknown) => {
          release();
          throw error;
        }))) {
          release();
          return accepted();
        }
        const contentType = request.headers['content-type'].split(';')[0]?.trim().toLowerCase() ?? 'video/mp4';
        const intake = { videoId, userId, metaInfo: { title: request.query.title, fileName: request.query.fileName, contentType }, totalBytes: declaredLength || undefined };
        try {
          const staged = await stageBody(deps, videoId, request.raw, (received) => {
            // Only a body whose head passed the video check shows up as arriving.
            if (received > HEAD_BYTES) deps.progress?.report(intake, received);
          }).catch(async (error: unknown) => {
            await deps.progress?.remove(videoId).catch((cleanup: unknown) => request.log.warn({ err: cleanup }, 'could not remove intake progress'));
            throw error;
          });
          const metaInfo = { title: request.query.title, fileName: request.query.fileName, contentType, sizeBytes: staged.sizeBytes, sha256: staged.sha256 };
          try {
            const declaredSha256 = request.headers['reelay-content-sha256'];
            await recordUploadRequested(deps, { videoId, userId: userId as UserId, metaInfo, stagingRef: staged.ref, requestId: request.id, declaredSha256 });
          } catch (error) {
            await deps.progress?.remove(videoId).catch((cleanup: unknown) => request.log.warn({ err: cleanup }, 'could not remove intake progress'));
            if (error instanceof RecordOutcomeUnknown) {
              // The staged copy stays: the uploader needs it if the video was recorded, the sweeper removes it if not.
              throw new HttpError(503, 'unavailable', RECORD_OUTCOME_UNKNOWN, { 'retry-after': '5' }, { cause: error });
            }
            await deps.staging.remove(staged.ref).catch((cleanup: unknown) => request.log.error({ err: cleanup }, 'could not remove staged file'));
            // The same Idempotency-Key raced us and won: its video is the answer if it is this upload.
            if (key && error instanceof WrongExpectedVersion && (await checkIdempotentReplay(deps, videoId, { ...fingerprint, sha256: staged.sha256, sizeBytes: staged.sizeBytes }, undefined))) return accepted();
            if (error instanceof ContentMismatch) throw new HttpError(422, 'unprocessable-content', error.message);
            // The user was forgotten while the body arrived: refused like one that came after.
            if (error instanceof UserErased) throw erasedAccount(userId);
            throw new HttpError(503, 'unavailable', 'the upload could not be recorded (event store or key store unavailable); nothing was recorded, please retry', { 'retry-after': '5' }, { cause: error });
          }
          await deps.progress?.settle(videoId);
          deps.onAccepted?.(staged.sizeBytes);
          return accepted();
        } finally {
          release();
        }
      } finally {
        ended();
      }
    },
  );
}

async function stageBody(deps: RequestUploadDeps, videoId: VideoId, body: Readable, onBytes: (received: number) => void): Promise<StagedFile> {
  try {
    return await deps.staging.write(stagingNameFor(videoId), body, {
      onBytes,
      maxBytes: deps.maxUploadBytes,
      idleTimeoutMs: deps.idleTimeoutMs,
      inspectHead: (head) => {
        if (head.length === 0) throw new NotAVideo('the body is empty');
        if (!detectVideoContainer(head)) throw new NotAVideo('the body is not a video (its first bytes match no known video container)');
      },
    });
  } catch (error) {
    throw problemForStagingFailure(error, deps.maxUploadBytes);
  }
}
