import { Counter, type Registry } from 'prom-client';
import {
  VideoRepository,
  createHttpApp,
  registerAuthentication,
  type EventStore,
  type HttpApp,
  type Logger,
  type ReadinessChecks,
  type StagingStore,
  type TokenVerifier,
} from '@reelay/platform';
import { registerRequestUpload } from './requestUpload/requestUploadRoute';
import { registerDeleteVideo } from './deleteVideo/deleteVideoRoute';
import { registerRetryUpload } from './retryUpload/retryUploadRoute';

export interface CommandAppDeps {
  readonly logger: Logger;
  readonly metrics: Registry;
  readonly readiness: ReadinessChecks;
  readonly verifier: TokenVerifier;
  readonly store: EventStore;
  readonly staging: StagingStore;
  readonly maxUploadBytes: number;
  readonly queryApiUrl: string;
}

/** The command API as a fastify app, the same for tests and for the server. */
export function buildCommandApp(deps: CommandAppDeps): HttpApp {
  const app = createHttpApp({ service: 'command-api', logger: deps.logger, metrics: deps.metrics, readiness: deps.readiness });
  registerAuthentication(app, deps.verifier);

  const accepted = new Counter({ name: 'reelay_uploads_accepted_total', help: 'Uploads accepted', registers: [deps.metrics] });
  const bytes = new Counter({ name: 'reelay_upload_bytes_received_total', help: 'Bytes staged for accepted uploads', registers: [deps.metrics] });
  registerRequestUpload(app, {
    store: deps.store,
    staging: deps.staging,
    maxUploadBytes: deps.maxUploadBytes,
    queryApiUrl: deps.queryApiUrl,
    onAccepted: (sizeBytes) => {
      accepted.inc();
      bytes.inc(sizeBytes);
    },
  });
  const repository = new VideoRepository(deps.store);
  registerDeleteVideo(app, repository);
  registerRetryUpload(app, repository);
  return app;
}
