import { EventMetadata } from '../events/metadata';
import type { NewEvent, RecordedEvent } from '../events/recorded';
import { VideoEvent } from '../events/videoEvents';
import { videoStreamName } from '../ids';
import { foldVideo, type RecordedVideoEvent, type VideoState } from './state';

/** Validates a stored event against the contracts and narrows it to the video event union. */
export function asVideoEvent(event: RecordedEvent): RecordedVideoEvent {
  const parsed = VideoEvent.parse({ type: event.type, data: event.data });
  return { ...event, ...parsed } as RecordedVideoEvent;
}

/**
 * A new event with a fresh id, ready to append. It is validated against the contracts here, at
 * the writer: a malformed event in the log would stop every reader that meets it.
 */
export function newEvent<E extends VideoEvent>(event: E, metadata: EventMetadata, id: string = globalThis.crypto.randomUUID()): NewEvent<E['type'], E['data']> {
  const valid = VideoEvent.parse({ type: event.type, data: event.data }) as E;
  return { id, type: valid.type, data: valid.data, metadata: EventMetadata.parse(metadata) };
}

/**
 * A video as the write side decides on it: its stream, folded to its state (undefined before
 * the first event). What `@reelay/event-store`'s CommandHandler takes as a stream model.
 */
export const videoStreamModel = {
  streamName: videoStreamName,
  fold: (events: readonly RecordedEvent[]): VideoState | undefined => foldVideo(events.map(asVideoEvent)),
};
