// Apart from the connection so that the one error handler (`problemForError`) can map it without
// loading the NATS client into services that do not use NATS.

/** NATS cannot be reached (at start) or is not connected now (readiness); see `cause`. */
export class NatsUnavailable extends Error {
  override readonly name = 'NatsUnavailable';
}
