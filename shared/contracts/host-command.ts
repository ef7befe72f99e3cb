/**
 * Commands sent to a session host's own queue (DESIGN.md section 3, "Commands to hosts"). They are doorbells:
 * DynamoDB holds the truth (desired state, queued messages), so a lost or duplicated command is harmless and a
 * host acts on what it then reads, not on the command's content alone.
 *
 * Unknown extra fields are stripped rather than refused, so a sender one release ahead can add fields without
 * older hosts dropping its commands. An unknown `type` is refused (the host cannot act on it).
 */
import * as z from 'zod';
import { IdSchema, TimestampSchema } from '../domain/ids.js';
import { PhoneSchema } from '../domain/phone.js';
import { HostRequestSchema } from './host-request.js';

const base = {
  tenantId: IdSchema,
  sessionId: IdSchema,
  /** When the sender rang; lets a host log latency and ignore doorbells older than its last drain. */
  sentAt: TimestampSchema,
};

export const SessionStartCommandSchema = z.object({ type: z.literal('session.start'), ...base });
export const SessionStopCommandSchema = z.object({ type: z.literal('session.stop'), ...base });
/** Unlink the device on WhatsApp's side, then erase the credentials. */
export const SessionLogoutCommandSchema = z.object({ type: z.literal('session.logout'), ...base });
export const SessionPairingCodeCommandSchema = z.object({
  type: z.literal('session.pairing-code'),
  ...base,
  phone: PhoneSchema,
  /** Correlates the code the host produces with the API request waiting for it. */
  requestId: z.string().min(1).max(128),
});
/** A message item in `queued` state is waiting; the host loads it from DynamoDB. */
export const MessageSendCommandSchema = z.object({
  type: z.literal('message.send'),
  ...base,
  messageId: IdSchema,
});

/** The most message ids one `chat.read` doorbell names (`POST .../chats/{chatId}/read` marks at most this many). */
export const CHAT_READ_MAX_MESSAGES = 100;
/**
 * Inbound messages were marked read through the API: each carries a pending-receipt marker in DynamoDB until the
 * host has sent WhatsApp its read receipt. `messageIds` names the ones just marked (read back by key, strongly
 * consistent); the host also drains the session's other pending receipts.
 */
export const ChatReadCommandSchema = z.object({
  type: z.literal('chat.read'),
  ...base,
  messageIds: z.array(IdSchema).max(CHAT_READ_MAX_MESSAGES),
});

/**
 * The API waits for an answer (`host-request.ts`): the host does `request` on the session's socket and stores
 * its reply under `requestId`. Unlike the other commands this is not a doorbell: a lost one is answered by
 * nobody and the API times out (504). A host drops a request past its `deadline` (nobody waits for it).
 */
export const HostRequestCommandSchema = z.object({
  type: z.literal('host.request'),
  ...base,
  requestId: IdSchema,
  deadline: TimestampSchema,
  request: HostRequestSchema,
});

export const HostCommandSchema = z.discriminatedUnion('type', [
  SessionStartCommandSchema,
  SessionStopCommandSchema,
  SessionLogoutCommandSchema,
  SessionPairingCodeCommandSchema,
  MessageSendCommandSchema,
  ChatReadCommandSchema,
  HostRequestCommandSchema,
]);

export type HostCommand = z.infer<typeof HostCommandSchema>;
export type HostCommandType = HostCommand['type'];
export const HOST_COMMAND_TYPES = HostCommandSchema.options.map(
  (o) => o.shape.type.value,
) as readonly HostCommandType[];

/** Narrowing helper for handlers: `HostCommandOf<'message.send'>` has `messageId`. */
export type HostCommandOf<T extends HostCommandType> = Extract<HostCommand, { type: T }>;
