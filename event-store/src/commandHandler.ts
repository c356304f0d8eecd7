import type { NewEvent, RecordedEvent } from '@reelay/contracts';
import { WrongExpectedVersion, type AppendResult, type EventStore, type ExpectedRevision } from './eventStore';

/** How one kind of entity lives in the store: the stream of an id, and the state its events fold to. */
export interface StreamModel<State> {
  readonly streamName: (id: string) => string;
  /** The state a decision is taken on, from all of the stream's events in order (none: a new entity). */
  readonly fold: (events: readonly RecordedEvent[]) => State;
}

export interface Decision<State> {
  readonly state: State;
  /** Events appended; empty when the decision was to do nothing. */
  readonly appended: readonly NewEvent[];
  readonly result: AppendResult | undefined;
}

/**
 * Takes decisions on one stream at a time: loads the stream, folds it, hands the state to a
 * `decide` function and appends what it returns, expecting the revision it read. When another
 * writer got there first it decides again on the fresh state, so a decision is always taken on
 * the latest facts.
 */
export class CommandHandler<State> {
  constructor(
    private readonly store: EventStore,
    private readonly model: StreamModel<State>,
    private readonly maxConflictRetries = 5,
  ) {}

  async load(id: string): Promise<State> {
    return (await this.read(id)).state;
  }

  async decide(id: string, decide: (state: State) => readonly NewEvent[]): Promise<Decision<State>> {
    const streamName = this.model.streamName(id);
    for (let attempt = 0; ; attempt += 1) {
      const { state, revision } = await this.read(id);
      const events = decide(state);
      if (events.length === 0) return { state, appended: [], result: undefined };
      try {
        const result = await this.store.appendToStream(streamName, events, { expectedRevision: revision });
        return { state, appended: events, result };
      } catch (error) {
        if (!(error instanceof WrongExpectedVersion) || attempt >= this.maxConflictRetries) throw error;
      }
    }
  }

  private async read(id: string): Promise<{ state: State; revision: ExpectedRevision }> {
    const events = await this.store.readStream(this.model.streamName(id));
    const last = events[events.length - 1];
    return { state: this.model.fold(events), revision: last ? last.revision : 'no_stream' };
  }
}
