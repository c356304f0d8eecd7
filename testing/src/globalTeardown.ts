import { TEST_SERVICES_KEY, type TestServices } from './globalSetup';

/** Stops the S3 of globalSetup and removes its data; safe when run once per project. */
export default async function globalTeardown(): Promise<void> {
  const shared = globalThis as Record<string, unknown>;
  const services = shared[TEST_SERVICES_KEY] as TestServices | undefined;
  if (!services) return;
  delete shared[TEST_SERVICES_KEY];
  await services.stopS3();
}
