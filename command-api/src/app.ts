import rateLimit from '@fastify/rate-limit';
import { Counter, type Registry } from 'prom-client';
import type { Locker } from '@tus/utils';
import {
  createHttpApp,
  perUserRateLimit,
  type Config,
  type HttpApp,
  zodRoutes,
  type Logger,
  type PersonalDataVault,
  type PerUserRateLimit,
  type ReadinessChecks,
  type StagingStore,
} from '@reelay/platform';
import { registerAuthentication, type TokenVerifier } from '@reelay/platform/auth';
import { CommandHandler, type EventStore } from '@reelay/event-store';
import { videoStreamModel } from '@reelay/contracts';
import { registerRequestUpload } from './requestUpload/requestUploadRoute';
import { UploadSlots } from './requestUpload/uploadSlots';
import { registerDeleteVideo } from './deleteVideo/deleteVideoRoute';
import { registerRetryUpload } from './retryUpload/retryUploadRoute';
import type { IntakeProgress } from './intakeProgress/intakeProgress';
import { registerTus } from './resumableUpload/registerTus';
import type { StagingTusStore } from './resumableUpload/stagingTusStore';
import type { OpenUploads } from './resumableUpload/openUploads';
import type { TusArea } from './resumableUpload/tusArea';
import { registerContentDedupe } from './contentDedupe/registerContentDedupe';
import type { ContentClaims } from './contentDedupe/contentClaims';
import { UPLOADS_PATH, videoIdOfUpload } from './resumableUpload/tusServer';

/** What one caller may do; see the README's "Security" section. */
export interface CommandApiLimits {
  readonly maxUploadBytes: number;
  readonly maxConcurrentUploadsPerUser: number;
  readonly uploadIdleTimeoutMs: number;
  readonly rateLimit: PerUserRateLimit;
}

/** The limits the configuration sets. */
export function commandApiLimits(
  config: Pick<Config, 'MAX_UPLOAD_BYTES' | 'MAX_CONCURRENT_UPLOADS_PER_USER' | 'UPLOAD_IDLE_TIMEOUT_MS' | 'RATE_LIMIT_MAX' | 'RATE_LIMIT_WINDOW_MS'>,
): CommandApiLimits {
  return {
    maxUploadBytes: config.MAX_UPLOAD_BYTES,
    maxConcurrentUploadsPerUser: config.MAX_CONCURRENT_UPLOADS_PER_USER,
    uploadIdleTimeoutMs: config.UPLOAD_IDLE_TIMEOUT_MS,
    rateLimit: { max: config.RATE_LIMIT_MAX, windowMs: config.RATE_LIMIT_WINDOW_MS },
  };
}

export interface CommandAppDeps {
  readonly logger: Logger;
  readonly metrics: Registry;
  readonly readiness: ReadinessChecks;
  readonly verifier: TokenVerifier;
  readonly store: EventStore;
  readonly staging: StagingStore;
  readonly limits: CommandApiLimits;
  readonly queryApiUrl: string;
  /** Seals what users type (title, file name) with their own data key. */
  readonly personalData: Pick<PersonalDataVault, 'recordSealed' | 'openVideoEvents' | 'isErased'>;
  /**
   * Where tus uploads (`/v1/uploads`) are kept, and their locks (a PostgresLocker, started and
   * stopped by the caller); without it the routes are not mounted.
   */
  readonly tus?: { readonly area: TusArea; readonly expirationMs: number; readonly locker: Locker; readonly openUploads: OpenUploads };
  /** Where the bytes received so far are written for the query API (see intake_progress). */
  readonly progress?: IntakeProgress;
  /** Content each user has or is sending, for "no video uploaded twice"; without it, no dedupe. */
  readonly claims?: ContentClaims;
}

/** The command API's app and what its timers need. */
export interface CommandApp {
  readonly app: HttpApp;
  readonly tusStore: StagingTusStore | undefined;
}

/** The command API as a fastify app, the same for tests and for the server. */
export function buildCommandApp(deps: CommandAppDeps): HttpApp {
  return buildCommandApi(deps).app;
}

/** The app and the tus store, for the expiry timer. */
export function buildCommandApi(deps: CommandAppDeps): CommandApp {
  const app = createHttpApp({
    service: 'command-api',
    logger: deps.logger,
    metrics: deps.metrics,
    readiness: deps.readiness,
    openApi: { title: 'Reelay command API', description: 'Upload videos (one request, or resumable over tus), delete and retry them.' },
  });
  registerAuthentication(app, deps.verifier);
  // Before the routes: the plugin hooks into every route declared after it has loaded.
  app.register(rateLimit, perUserRateLimit(deps.limits.rateLimit));

  const accepted = new Counter({ name: 'reelay_uploads_accepted_total', help: 'Uploads accepted', registers: [deps.metrics] });
  const bytes = new Counter({ name: 'reelay_upload_bytes_received_total', help: 'Bytes staged for accepted uploads', registers: [deps.metrics] });
  const repository = new CommandHandler(deps.store, videoStreamModel);
  // One budget per user for both ways of sending bytes.
  const slots = new UploadSlots(deps.limits.maxConcurrentUploadsPerUser);
  app.register(async (scope) => {
    const routes = zodRoutes(scope);
    registerRequestUpload(routes, {
      store: deps.store,
      staging: deps.staging,
      maxUploadBytes: deps.limits.maxUploadBytes,
      slots,
      idleTimeoutMs: deps.limits.uploadIdleTimeoutMs,
      queryApiUrl: deps.queryApiUrl,
      personalData: deps.personalData,
      progress: deps.progress,
      claims: deps.claims,
      onAccepted: (sizeBytes) => {
        accepted.inc();
        bytes.inc(sizeBytes);
      },
    });
    registerDeleteVideo(routes, repository);
    registerRetryUpload(routes, repository);
  });
  const tusStore = deps.tus
    ? registerTus(app, {
        area: deps.tus.area,
        expirationMs: deps.tus.expirationMs,
        events: deps.store,
        personalData: deps.personalData,
        staging: deps.staging,
        slots,
        maxUploadBytes: deps.limits.maxUploadBytes,
        idleTimeoutMs: deps.limits.uploadIdleTimeoutMs,
        progress: deps.progress,
        logger: deps.logger,
        locker: deps.tus.locker,
        claims: deps.claims,
        openUploads: deps.tus.openUploads,
      })
    : undefined;
  if (deps.claims) {
    const tus = deps.tus && tusStore ? { area: deps.tus.area, store: tusStore } : undefined;
    registerContentDedupe(app, {
      claims: deps.claims,
      statusOf: async (videoId) => (await repository.load(videoId))?.status,
      tusUploadOf: async (name) => {
        if (!tus) return 'gone';
        const upload = await tus.store.getUpload(tus.area.idFor(name)).catch((error: { status_code?: number }) =>
          error.status_code === 404 || error.status_code === 410 ? undefined : Promise.reject(error),
        );
        if (!upload || videoIdOfUpload(tus.area, upload.id) === undefined) return 'gone';
        return upload.size !== undefined && upload.offset === upload.size ? 'finished' : { offset: upload.offset, size: upload.size };
      },
      uploadsPath: UPLOADS_PATH,
      queryApiUrl: deps.queryApiUrl,
    });
  }
  return { app, tusStore };
}
