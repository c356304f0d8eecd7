import type { RecordedEvent } from '@reelay/contracts';
import type { EventFilter } from './eventStore';

/** Whether `event` passes every part of `filter` that is given; applied the same way by both adapters. */
export function matchesFilter(event: Pick<RecordedEvent, 'type' | 'streamName'>, filter: EventFilter): boolean {
  if (filter.eventTypes && !filter.eventTypes.includes(event.type)) return false;
  if (filter.streamPrefixes && !filter.streamPrefixes.some((prefix) => event.streamName.startsWith(prefix))) return false;
  return true;
}

/** True when the filter lets everything through. */
export function isEmptyFilter(filter: EventFilter): boolean {
  return filter.eventTypes === undefined && filter.streamPrefixes === undefined;
}
