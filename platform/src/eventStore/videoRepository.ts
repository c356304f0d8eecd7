import { randomUUID } from 'node:crypto';
import {
  EventMetadata,
  VideoEvent,
  foldVideo,
  videoStreamName,
  type NewEvent,
  type RecordedEvent,
  type RecordedVideoEvent,
  type VideoState,
} from '@reelay/contracts';
import { WrongExpectedVersion, type AppendResult, type EventStore } from './eventStore';

/** Validates a stored event against the contracts and narrows it to the video event union. */
export function asVideoEvent(event: RecordedEvent): RecordedVideoEvent {
  const parsed = VideoEvent.parse({ type: event.type, data: event.data });
  return { ...event, ...parsed } as RecordedVideoEvent;
}

/**
 * A new event with a fresh id, ready to append. It is validated against the contracts here, at
 * the writer: a malformed event in the log would stop every reader that meets it.
 */
export function newEvent<E extends VideoEvent>(event: E, metadata: EventMetadata, id: string = randomUUID()): NewEvent<E['type'], E['data']> {
  const valid = VideoEvent.parse({ type: event.type, data: event.data }) as E;
  return { id, type: valid.type, data: valid.data, metadata: EventMetadata.parse(metadata) };
}

export interface Decision {
  readonly state: VideoState | undefined;
  /** Events appended; empty when the decision was to do nothing. */
  readonly appended: readonly NewEvent[];
  readonly result: AppendResult | undefined;
}

/**
 * Loads a video's stream, folds it, and appends what `decide` returns with the stream's
 * revision as the expected one. When another writer got there first it decides again on the
 * fresh state, so a decision is always taken on the latest facts.
 */
export class VideoRepository {
  constructor(
    private readonly store: EventStore,
    private readonly maxConflictRetries = 5,
  ) {}

  async load(videoId: string): Promise<VideoState | undefined> {
    const events = await this.store.readStream(videoStreamName(videoId));
    return foldVideo(events.map(asVideoEvent));
  }

  async decide(videoId: string, decide: (state: VideoState | undefined) => readonly NewEvent[]): Promise<Decision> {
    for (let attempt = 0; ; attempt += 1) {
      const state = await this.load(videoId);
      const events = decide(state);
      if (events.length === 0) return { state, appended: [], result: undefined };
      try {
        const result = await this.store.appendToStream(videoStreamName(videoId), events, {
          expectedRevision: state ? state.revision : 'no_stream',
        });
        return { state, appended: events, result };
      } catch (error) {
        if (!(error instanceof WrongExpectedVersion) || attempt >= this.maxConflictRetries) throw error;
      }
    }
  }
}
