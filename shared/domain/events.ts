import * as z from 'zod';
import { ChatViewSchema } from './chat.js';
import { ContactIdSchema } from './contact-id.js';
import {
  GroupJoinedEventDataSchema,
  GroupLeftEventDataSchema,
  GroupParticipantsEventDataSchema,
  GroupUpdatedEventDataSchema,
} from './group-events.js';
import { IdSchema, TimestampSchema, newId, nowIso } from './ids.js';
import {
  InboundMessageSummarySchema,
  MessageErrorSchema,
  MessageStatusSchema,
  MetadataSchema,
} from './message.js';
import {
  MessageEditedEventDataSchema,
  MessageRevokedEventDataSchema,
  PollVoteEventDataSchema,
} from './message-action-events.js';
import { PhoneSchema } from './phone.js';
import { SessionRestrictionSchema, SessionStatusSchema } from './session.js';

/** The event catalog. New types are added, never renamed: subscribers filter on these strings. */
export const EventTypeSchema = z.enum([
  'session.status',
  'message.received',
  'message.status',
  'session.restricted',
  'chat.updated',
  'message.edited',
  'message.revoked',
  'poll.vote',
  'presence.updated',
  'call.received',
  'group.updated',
  'group.participants',
  'group.joined',
  'group.left',
  'pool.reassigned',
]);
export type EventType = z.infer<typeof EventTypeSchema>;

/** EventBridge `source` of every domain event; `detail-type` is the event type itself. */
export const EVENT_SOURCE = 'wa-platform';

export function eventDetailType(type: EventType): string {
  return type;
}

export const SessionStatusEventDataSchema = z.object({
  status: SessionStatusSchema,
  previousStatus: SessionStatusSchema.optional(),
  phone: PhoneSchema.optional(),
  /** Why it changed, for humans (`logged out from the phone`); not a stable code. */
  reason: z.string().max(500).optional(),
});
export type SessionStatusEventData = z.infer<typeof SessionStatusEventDataSchema>;

/** WhatsApp's reach-out timelock on the account started, changed or ended (`active: false`). */
export const SessionRestrictedEventDataSchema = SessionRestrictionSchema;
export type SessionRestrictedEventData = z.infer<typeof SessionRestrictedEventDataSchema>;

export const MessageReceivedEventDataSchema = z.object({ message: InboundMessageSummarySchema });
export type MessageReceivedEventData = z.infer<typeof MessageReceivedEventDataSchema>;

export const MessageStatusEventDataSchema = z.object({
  messageId: IdSchema,
  waMessageId: z.string().min(1).optional(),
  status: MessageStatusSchema,
  error: MessageErrorSchema.optional(),
  /** The send's metadata, echoed so receivers can correlate without a lookup. */
  metadata: MetadataSchema.optional(),
  /** A message sent through a number pool: its pool (pool failover counts a member's failures from it). */
  poolId: IdSchema.optional(),
});
export type MessageStatusEventData = z.infer<typeof MessageStatusEventDataSchema>;

/**
 * A conversation changed: a message came in or went out (new preview, unread count), or it was marked read.
 * Carries the whole chat as `GET /v1/sessions/{id}/chats` lists it, so a console reorders its list without a read.
 */
export const ChatUpdatedEventDataSchema = z.object({ chat: ChatViewSchema });
export type ChatUpdatedEventData = z.infer<typeof ChatUpdatedEventDataSchema>;

/** What a contact is doing, as WhatsApp relays it (`paused`, typing stopped, arrives as `available`). */
export const PresenceStateSchema = z.enum(['available', 'unavailable', 'composing', 'recording']);
export type PresenceState = z.infer<typeof PresenceStateSchema>;

/**
 * A contact the session subscribed to (`POST .../contacts/{phone}/presence/subscribe`) went online or offline
 * (`lastSeen` when it shares it), or started or stopped typing or recording in its chat with the session.
 * Short-lived: published straight to the bus, not through the host's outbox.
 */
export const PresenceUpdatedEventDataSchema = z.object({
  contact: ContactIdSchema,
  presence: PresenceStateSchema,
  lastSeen: TimestampSchema.optional(),
});
export type PresenceUpdatedEventData = z.infer<typeof PresenceUpdatedEventDataSchema>;

/**
 * A call rang the session's number (WhatsApp calls cannot be answered here). `rejected` when the session's
 * `rejectCalls` setting rejected it (and `replied` when its text reply was queued to the caller).
 */
export const CallReceivedEventDataSchema = z.object({
  callId: z.string().min(1).max(128),
  from: ContactIdSchema,
  video: z.boolean(),
  group: z.boolean(),
  at: TimestampSchema,
  rejected: z.boolean(),
  replied: z.boolean(),
});
export type CallReceivedEventData = z.infer<typeof CallReceivedEventDataSchema>;

/** A pool contact moved to another member (its member died); `sessionId` of the envelope is the new member. */
export const PoolReassignedEventDataSchema = z.object({
  poolId: IdSchema,
  contact: PhoneSchema,
  from: IdSchema,
  to: IdSchema,
  /** Why the contact left `from`: `logged_out`, `restricted`, `stopped`, `deleted`, `removed`, `disconnected`. */
  reason: z.string().min(1),
});
export type PoolReassignedEventData = z.infer<typeof PoolReassignedEventDataSchema>;

// Key order is the order fields appear in JSON (webhook bodies): id and type first, data last.
function envelope<T extends EventType, D extends z.ZodType>(type: T, data: D) {
  return z.object({
    id: IdSchema,
    type: z.literal(type),
    createdAt: TimestampSchema,
    tenantId: IdSchema,
    sessionId: IdSchema,
    data,
  });
}

export const SessionStatusEventSchema = envelope('session.status', SessionStatusEventDataSchema);
export const MessageReceivedEventSchema = envelope('message.received', MessageReceivedEventDataSchema);
export const MessageStatusEventSchema = envelope('message.status', MessageStatusEventDataSchema);
export const SessionRestrictedEventSchema = envelope('session.restricted', SessionRestrictedEventDataSchema);
export const ChatUpdatedEventSchema = envelope('chat.updated', ChatUpdatedEventDataSchema);
export const MessageEditedEventSchema = envelope('message.edited', MessageEditedEventDataSchema);
export const MessageRevokedEventSchema = envelope('message.revoked', MessageRevokedEventDataSchema);
export const PollVoteEventSchema = envelope('poll.vote', PollVoteEventDataSchema);
export const PresenceUpdatedEventSchema = envelope('presence.updated', PresenceUpdatedEventDataSchema);
export const CallReceivedEventSchema = envelope('call.received', CallReceivedEventDataSchema);
export const GroupUpdatedEventSchema = envelope('group.updated', GroupUpdatedEventDataSchema);
export const GroupParticipantsEventSchema = envelope('group.participants', GroupParticipantsEventDataSchema);
export const GroupJoinedEventSchema = envelope('group.joined', GroupJoinedEventDataSchema);
export const GroupLeftEventSchema = envelope('group.left', GroupLeftEventDataSchema);
export const PoolReassignedEventSchema = envelope('pool.reassigned', PoolReassignedEventDataSchema);

/** The one envelope: `{ id, type, createdAt, tenantId, sessionId, data }`, `data` typed by `type`. */
export const DomainEventSchema = z.discriminatedUnion('type', [
  SessionStatusEventSchema,
  MessageReceivedEventSchema,
  MessageStatusEventSchema,
  SessionRestrictedEventSchema,
  ChatUpdatedEventSchema,
  MessageEditedEventSchema,
  MessageRevokedEventSchema,
  PollVoteEventSchema,
  PresenceUpdatedEventSchema,
  CallReceivedEventSchema,
  GroupUpdatedEventSchema,
  GroupParticipantsEventSchema,
  GroupJoinedEventSchema,
  GroupLeftEventSchema,
  PoolReassignedEventSchema,
]);
export type DomainEvent = z.infer<typeof DomainEventSchema>;
export type DomainEventOf<T extends EventType> = Extract<DomainEvent, { type: T }>;

/** `data` schema per event type (for OpenAPI and for subscribers validating one type). */
export const EVENT_DATA_SCHEMAS = {
  'session.status': SessionStatusEventDataSchema,
  'message.received': MessageReceivedEventDataSchema,
  'message.status': MessageStatusEventDataSchema,
  'session.restricted': SessionRestrictedEventDataSchema,
  'chat.updated': ChatUpdatedEventDataSchema,
  'message.edited': MessageEditedEventDataSchema,
  'message.revoked': MessageRevokedEventDataSchema,
  'poll.vote': PollVoteEventDataSchema,
  'presence.updated': PresenceUpdatedEventDataSchema,
  'call.received': CallReceivedEventDataSchema,
  'group.updated': GroupUpdatedEventDataSchema,
  'group.participants': GroupParticipantsEventDataSchema,
  'group.joined': GroupJoinedEventDataSchema,
  'group.left': GroupLeftEventDataSchema,
  'pool.reassigned': PoolReassignedEventDataSchema,
} as const satisfies Record<EventType, z.ZodType>;

export type EventDataInput<T extends EventType> = z.input<(typeof EVENT_DATA_SCHEMAS)[T]>;

export interface MakeEventInput<T extends EventType> {
  tenantId: string;
  sessionId: string;
  data: EventDataInput<T>;
  /** Given only when re-emitting; a fresh event gets a new ULID. */
  id?: string;
  createdAt?: string;
}

/**
 * Builds and validates an event, so a publisher cannot put a malformed event on the bus (subscribers would
 * get it forever through retries). Throws a ZodError on bad data.
 */
export function makeEvent<T extends EventType>(type: T, input: MakeEventInput<T>): DomainEventOf<T> {
  const event = DomainEventSchema.parse({
    id: input.id ?? newId(),
    type,
    createdAt: input.createdAt ?? nowIso(),
    tenantId: input.tenantId,
    sessionId: input.sessionId,
    data: input.data,
  });
  return event as DomainEventOf<T>;
}

/** A PutEvents entry without SDK types (the adapter passes it through), so the mapping is tested here. */
export interface EventBusEntry {
  Source: string;
  DetailType: string;
  Detail: string;
  EventBusName: string;
  Time: Date;
}

export function toEventBusEntry(event: DomainEvent, eventBusName: string): EventBusEntry {
  return {
    Source: EVENT_SOURCE,
    DetailType: eventDetailType(event.type),
    Detail: JSON.stringify(event),
    EventBusName: eventBusName,
    Time: new Date(event.createdAt),
  };
}
