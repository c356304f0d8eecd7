/**
 * A dependency (the event store, NATS) could not be reached; the operation may or may not have
 * happened and is worth retrying. Adapters throw subclasses of it, so the HTTP error handler
 * answers 503 for any of them without knowing each adapter.
 */
export class DependencyUnavailable extends Error {
  override readonly name: string = 'DependencyUnavailable';
}
