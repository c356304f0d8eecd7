import {
  assertNever,
  type EventMetadata,
  type MetaInfo,
  type NotificationKind,
  type RecordedVideoEvent,
  type VideoEventOf,
  type VideoState,
} from '@reelay/contracts';
import type { Push } from '../push/pushSender';

/**
 * The notifier's decisions, pure: which terminal events get a push, what it says, and what is
 * recorded afterwards. The I/O around them lives in `terminalEventNotifier.ts`.
 */

/** The events that end an upload attempt and are announced to the user. */
export const TERMINAL_EVENT_TYPES = ['UploadCompleted', 'UploadFailed'] as const;
export type TerminalEventType = (typeof TERMINAL_EVENT_TYPES)[number];
export type TerminalEvent = Extract<RecordedVideoEvent, { type: TerminalEventType }>;

/** Narrows a video event to the two that get a push. */
export function isTerminalEvent(event: RecordedVideoEvent): event is TerminalEvent {
  return (TERMINAL_EVENT_TYPES as readonly string[]).includes(event.type);
}

/** Why a terminal event gets no push. */
export type SkipReason =
  /** The stream holds no `UploadRequested`: there is nobody to tell. */
  | 'unknown-video'
  /** A push was already recorded for this event: a replay, a restart, or another copy. */
  | 'already-notified'
  /** The user deleted the video; telling them about its upload would only confuse. */
  | 'video-deleted';

export type PushDecision = { readonly action: 'push'; readonly push: Push } | { readonly action: 'skip'; readonly reason: SkipReason };

/** Whether `event` should be pushed, given the video's current state. */
export function decidePush(event: TerminalEvent, state: VideoState | undefined): PushDecision {
  if (!state) return { action: 'skip', reason: 'unknown-video' };
  if (state.notifiedEventIds.includes(event.id)) return { action: 'skip', reason: 'already-notified' };
  if (state.status === 'DELETED') return { action: 'skip', reason: 'video-deleted' };
  return {
    action: 'push',
    push: {
      userId: state.userId,
      videoId: state.videoId,
      kind: notificationKind(event.type),
      title: displayTitle(state.metaInfo),
      idempotencyKey: event.id,
    },
  };
}

/** The kind of notification that announces a terminal event of this type. */
export function notificationKind(type: TerminalEventType): NotificationKind {
  switch (type) {
    case 'UploadCompleted':
      return 'UPLOAD_COMPLETED';
    case 'UploadFailed':
      return 'UPLOAD_FAILED';
    default:
      return assertNever(type);
  }
}

/** The title the user gave, or the file's name when the title is blank. */
export function displayTitle(metaInfo: Pick<MetaInfo, 'title' | 'fileName'>): string {
  return metaInfo.title.trim() || metaInfo.fileName;
}

/** What became of a push: accepted by the provider, or refused for good. */
export type PushOutcome =
  | { readonly status: 'sent'; readonly provider: string; readonly providerId: string | null }
  | { readonly status: 'rejected'; readonly provider: string; readonly error: string; readonly providerStatus: number | null };

export type NotificationRecord = VideoEventOf<'NotificationSent'> | VideoEventOf<'NotificationFailed'>;

/** A push's outcome, to be recorded against the terminal event it announced. */
export interface RecordPushOutcome {
  readonly forEventId: string;
  readonly kind: NotificationKind;
  readonly outcome: PushOutcome;
}

/**
 * The event that records a push's outcome, in any status; nothing when one is already recorded
 * for this terminal event: decided again on fresh state when another writer got there first, so
 * racing copies of the notifier record it once.
 */
export function decidePushOutcome(command: RecordPushOutcome, state: VideoState | undefined): NotificationRecord[] {
  const { forEventId, kind, outcome } = command;
  if (!state || state.notifiedEventIds.includes(forEventId)) return [];
  switch (outcome.status) {
    case 'sent':
      return [{ type: 'NotificationSent', data: { provider: outcome.provider, kind, forEventId, providerId: outcome.providerId } }];
    case 'rejected':
      return [{ type: 'NotificationFailed', data: { provider: outcome.provider, kind, forEventId, error: outcome.error, providerStatus: outcome.providerStatus } }];
    default:
      return assertNever(outcome);
  }
}

/** The record continues the terminal event's correlation and names it as its cause. */
export function notificationMetadata(event: TerminalEvent, push: Pick<Push, 'userId'>): EventMetadata {
  return { correlationId: event.metadata.correlationId, causationId: event.id, userId: push.userId };
}
