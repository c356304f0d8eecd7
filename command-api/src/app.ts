import rateLimit from '@fastify/rate-limit';
import { Counter, type Registry } from 'prom-client';
import {
  VideoRepository,
  createHttpApp,
  perUserRateLimit,
  registerAuthentication,
  type Config,
  type EventStore,
  type HttpApp,
  type Logger,
  type PerUserRateLimit,
  type ReadinessChecks,
  type StagingStore,
  type TokenVerifier,
} from '@reelay/platform';
import { registerRequestUpload } from './requestUpload/requestUploadRoute';
import { UploadSlots } from './requestUpload/uploadSlots';
import { registerDeleteVideo } from './deleteVideo/deleteVideoRoute';
import { registerRetryUpload } from './retryUpload/retryUploadRoute';

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
}

/** The command API as a fastify app, the same for tests and for the server. */
export function buildCommandApp(deps: CommandAppDeps): HttpApp {
  const app = createHttpApp({
    service: 'command-api',
    logger: deps.logger,
    metrics: deps.metrics,
    readiness: deps.readiness,
    openApi: { title: 'Reelay command API', description: 'Upload, delete and retry videos.' },
  });
  registerAuthentication(app, deps.verifier);
  // Before the routes: the plugin hooks into every route declared after it has loaded.
  app.register(rateLimit, perUserRateLimit(deps.limits.rateLimit));

  const accepted = new Counter({ name: 'reelay_uploads_accepted_total', help: 'Uploads accepted', registers: [deps.metrics] });
  const bytes = new Counter({ name: 'reelay_upload_bytes_received_total', help: 'Bytes staged for accepted uploads', registers: [deps.metrics] });
  const repository = new VideoRepository(deps.store);
  app.register(async (scope) => {
    const routes = scope as unknown as HttpApp;
    registerRequestUpload(routes, {
      store: deps.store,
      staging: deps.staging,
      maxUploadBytes: deps.limits.maxUploadBytes,
      slots: new UploadSlots(deps.limits.maxConcurrentUploadsPerUser),
      idleTimeoutMs: deps.limits.uploadIdleTimeoutMs,
      queryApiUrl: deps.queryApiUrl,
      onAccepted: (sizeBytes) => {
        accepted.inc();
        bytes.inc(sizeBytes);
      },
    });
    registerDeleteVideo(routes, repository);
    registerRetryUpload(routes, repository);
  });
  return app;
}
