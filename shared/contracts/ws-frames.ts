/**
 * Frames the platform pushes to browsers on the pairing WebSocket (DESIGN.md section 3, "Browser pairing").
 * The session host sends `session.qr` and `session.status` through `WsPusher`; the `$default` route answers
 * `pong` and `error`. The realtime worker pushes domain events as they are (`WsEventFrameSchema`) to the
 * console's tenant-wide and session sockets. The browser console (`web/`) validates every frame against the same
 * contract (`parseWsServerFrame`).
 *
 * Frames are additive: new fields may appear, so readers must ignore unknown fields (these are plain objects).
 */
import * as z from 'zod';
import { IdSchema, TimestampSchema } from '../domain/ids.js';
import {
  CallReceivedEventSchema,
  ChatUpdatedEventSchema,
  MessageEditedEventSchema,
  MessageReceivedEventSchema,
  MessageRevokedEventSchema,
  MessageStatusEventSchema,
  PollVoteEventSchema,
  PresenceUpdatedEventSchema,
  SessionRestrictedEventSchema,
  SessionStatusEventSchema,
} from '../domain/events.js';
import { PhoneSchema } from '../domain/phone.js';
import { SessionStatusSchema } from '../domain/session.js';

/** A QR to draw now. Each rotation is a new frame with a higher `refresh`; the newest replaces the old one. */
export const SessionQrFrameSchema = z.object({
  type: z.literal('session.qr'),
  sessionId: IdSchema,
  /** The string to encode in the QR (what Baileys gives as `qr`). */
  qr: z.string().min(1).max(4096),
  /** 1 for the first QR of a link attempt, then 2, 3... */
  refresh: z.number().int().positive(),
  /** When WhatsApp stops accepting this QR. */
  expiresAt: TimestampSchema,
});
export type SessionQrFrame = z.infer<typeof SessionQrFrameSchema>;

/** The session's status changed (`connected` ends pairing; `qr_expired` asks the user to try again). */
export const SessionStatusFrameSchema = z.object({
  type: z.literal('session.status'),
  sessionId: IdSchema,
  status: SessionStatusSchema,
  /** The linked number, once `connected`. */
  phone: PhoneSchema.optional(),
  /** Human-readable reason (not a code). */
  reason: z.string().max(500).optional(),
  at: TimestampSchema,
});
export type SessionStatusFrame = z.infer<typeof SessionStatusFrameSchema>;

/**
 * A phone-number pairing code to show (the answer to `POST /v1/sessions/{id}/pairing-code`). A new frame with a
 * higher `refresh` replaces the code: the phone rotated it (`refresh_code`) and the old one no longer works.
 */
export const SessionPairingCodeFrameSchema = z.object({
  type: z.literal('session.pairing_code'),
  sessionId: IdSchema,
  code: z.string().min(1).max(16),
  phone: PhoneSchema,
  /** 1 for the code first returned, then 2, 3... for each rotation. */
  refresh: z.number().int().positive(),
  expiresAt: TimestampSchema,
});
export type SessionPairingCodeFrame = z.infer<typeof SessionPairingCodeFrameSchema>;

/** Answer to the keep-alive `{"action":"ping"}` (API Gateway drops connections idle for 10 minutes). */
export const PongFrameSchema = z.object({ type: z.literal('pong') });

export const ErrorFrameSchema = z.object({
  type: z.literal('error'),
  status: z.number().int(),
  title: z.string(),
  detail: z.string().optional(),
});

/** Everything the server sends on the pairing socket. */
export const WsServerFrameSchema = z.discriminatedUnion('type', [
  SessionQrFrameSchema,
  SessionStatusFrameSchema,
  PongFrameSchema,
  ErrorFrameSchema,
  SessionPairingCodeFrameSchema,
]);
export type WsServerFrame = z.infer<typeof WsServerFrameSchema>;

/**
 * The domain events the realtime worker (`functions/workers/realtime-push.ts`) pushes to the console's sockets,
 * as is: the event envelope `{ id, type, createdAt, tenantId, sessionId, data }` (shared/domain/events.ts). A
 * tenant-wide socket gets them for every session of its tenant, a session socket for its session only.
 */
export const WsEventFrameSchema = z.discriminatedUnion('type', [
  MessageReceivedEventSchema,
  MessageStatusEventSchema,
  ChatUpdatedEventSchema,
  SessionStatusEventSchema,
  SessionRestrictedEventSchema,
  MessageEditedEventSchema,
  MessageRevokedEventSchema,
  PollVoteEventSchema,
  PresenceUpdatedEventSchema,
  CallReceivedEventSchema,
]);
export type WsEventFrame = z.infer<typeof WsEventFrameSchema>;
export type WsEventFrameType = WsEventFrame['type'];

/** The event types pushed live; the EventBridge rule of the realtime worker matches exactly these. */
export const WS_EVENT_TYPES = WsEventFrameSchema.options.map(
  (schema) => schema.shape.type.value,
) as readonly WsEventFrameType[];

/** Anything the server sends on a socket: an event frame (it has `data`) or one of the frames above. */
export type WsAnyServerFrame = WsEventFrame | WsServerFrame;

/**
 * Parses one frame received on a socket (the JSON already decoded). An event frame and the host's
 * `session.status` frame share the type `session.status`; the event is the one carrying `data`. Throws a
 * ZodError for anything else, so a browser never acts on a frame it does not understand.
 */
export function parseWsServerFrame(raw: unknown): WsAnyServerFrame {
  const isEvent = typeof raw === 'object' && raw !== null && 'data' in raw;
  return isEvent ? WsEventFrameSchema.parse(raw) : WsServerFrameSchema.parse(raw);
}

/** Builders that validate, so a host cannot push a frame the browser would reject. */
export function sessionQrFrame(input: Omit<SessionQrFrame, 'type'>): SessionQrFrame {
  return SessionQrFrameSchema.parse({ type: 'session.qr', ...input });
}

export function sessionPairingCodeFrame(
  input: Omit<SessionPairingCodeFrame, 'type'>,
): SessionPairingCodeFrame {
  return SessionPairingCodeFrameSchema.parse({ type: 'session.pairing_code', ...input });
}

export function sessionStatusFrame(input: Omit<SessionStatusFrame, 'type'>): SessionStatusFrame {
  return SessionStatusFrameSchema.parse({ type: 'session.status', ...input });
}
