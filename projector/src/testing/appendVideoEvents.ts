import { randomUUID } from 'node:crypto';
import { newEvent, videoStreamName, type VideoEvent } from '@reelay/contracts';
import type { EventStore } from '@reelay/event-store';

/** Appends events to a video's stream after the `expectedRevision` given (-1: a new stream). */
export async function appendVideoEvents(store: EventStore, videoId: string, events: readonly VideoEvent[], expectedRevision = -1): Promise<void> {
  const metadata = { correlationId: randomUUID(), causationId: randomUUID(), userId: 'test' };
  await store.appendToStream(
    videoStreamName(videoId),
    events.map((event) => newEvent(event, metadata)),
    { expectedRevision: expectedRevision < 0 ? 'no_stream' : expectedRevision },
  );
}
