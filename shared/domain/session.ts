import * as z from 'zod';
import { IdSchema, TimestampSchema } from './ids.js';
import { PhoneSchema } from './phone.js';

export const SessionStatusSchema = z.enum([
  'starting',
  'qr',
  'pairing',
  'connected',
  'reconnecting',
  'disconnected',
  'logged_out',
  'qr_expired',
  'failed',
]);
export type SessionStatus = z.infer<typeof SessionStatusSchema>;

/** What the tenant asked for; `status` is what the host reports. Hosts converge the second on the first. */
export const DesiredStateSchema = z.enum(['running', 'stopped']);
export type DesiredState = z.infer<typeof DesiredStateSchema>;

/**
 * Allowed status changes, from -> to. `starting` is reachable from everywhere because a host that claims a
 * session (first start, restart, takeover after another host died) always begins there, whatever the dead host
 * last wrote. `logged_out` is reachable from every live state because the phone can unlink the device at any
 * time. A write with the same status (a rotated QR, another reconnect attempt) is not a transition.
 */
export const SESSION_TRANSITIONS: Readonly<Record<SessionStatus, readonly SessionStatus[]>> = {
  starting: ['qr', 'pairing', 'connected', 'reconnecting', 'disconnected', 'logged_out', 'failed'],
  qr: ['starting', 'pairing', 'connected', 'qr_expired', 'disconnected', 'logged_out', 'failed'],
  pairing: ['starting', 'qr', 'connected', 'qr_expired', 'disconnected', 'logged_out', 'failed'],
  connected: ['starting', 'reconnecting', 'disconnected', 'logged_out', 'failed'],
  reconnecting: ['starting', 'connected', 'disconnected', 'logged_out', 'failed'],
  // Stopped on purpose; only a new start (or an explicit logout that erases credentials) moves it.
  disconnected: ['starting', 'logged_out'],
  // Credentials are gone; the next start shows a fresh QR.
  logged_out: ['starting'],
  // Nobody scanned in time; the host stops the socket instead of looping QRs forever.
  qr_expired: ['starting', 'disconnected', 'logged_out'],
  failed: ['starting', 'disconnected', 'logged_out'],
};

export function canTransition(from: SessionStatus, to: SessionStatus): boolean {
  return SESSION_TRANSITIONS[from].includes(to);
}

/** States in which the session holds a socket (or is trying to) and so needs a host. */
export const ACTIVE_SESSION_STATUSES: readonly SessionStatus[] = [
  'starting',
  'qr',
  'pairing',
  'connected',
  'reconnecting',
];

export function isActiveStatus(status: SessionStatus): boolean {
  return ACTIVE_SESSION_STATUSES.includes(status);
}

export const SessionErrorSchema = z.object({
  code: z.string().min(1),
  message: z.string(),
  at: TimestampSchema,
  /** The API request this error answers (a refused pairing code: `pairing_code_rejected`). */
  requestId: z.string().min(1).max(128).optional(),
});
export type SessionError = z.infer<typeof SessionErrorSchema>;

export const SessionNameSchema = z.string().trim().min(1, 'must not be empty').max(100);

export const SessionQrSchema = z.object({
  /** The string WhatsApp encodes in the QR (`ref,noiseKey,identityKey,advSecret`). */
  code: z.string().min(1),
  /** 1 for the first QR of a link attempt, then 2, 3... as WhatsApp rotates refs. */
  refresh: z.number().int().positive(),
  expiresAt: TimestampSchema,
});
export type SessionQr = z.infer<typeof SessionQrSchema>;

export const SessionPairingCodeSchema = z.object({
  code: z.string().min(1),
  phone: PhoneSchema,
  requestId: z.string().min(1).max(128),
  expiresAt: TimestampSchema,
});
export type SessionPairingCode = z.infer<typeof SessionPairingCodeSchema>;

/**
 * WhatsApp's reach-out timelock on the linked account (docs/api.md, "Restrictions"): while `active`, the account's
 * linked devices cannot start new chats (sends to contacts who never wrote fail with `reachout_timelocked`).
 */
export const SessionRestrictionSchema = z.object({
  active: z.boolean(),
  /** When WhatsApp lifts it; absent when WhatsApp did not say. */
  until: TimestampSchema.optional(),
  /** WhatsApp's enforcement type, e.g. `RESTRICT_ALL_COMPANIONS`, `BIZ_QUALITY`. */
  type: z.string().min(1).max(64),
});
export type SessionRestriction = z.infer<typeof SessionRestrictionSchema>;

/**
 * Calls to the session's number (`PATCH /v1/sessions/{id}` `{ rejectCalls }`): with `enabled`, the host rejects
 * each incoming call as it rings and, with `reply`, sends the caller that text.
 */
export const RejectCallsSchema = z.strictObject({
  enabled: z.boolean(),
  reply: z.string().trim().min(1).max(1000).optional(),
});
export type RejectCalls = z.infer<typeof RejectCallsSchema>;

export const SessionSchema = z.object({
  id: IdSchema,
  tenantId: IdSchema,
  name: SessionNameSchema.optional(),
  desired: DesiredStateSchema,
  status: SessionStatusSchema,
  /** The linked account's number, known once connected. */
  phone: PhoneSchema.optional(),
  pushName: z.string().optional(),
  lastError: SessionErrorSchema.optional(),
  /** The QR to show now (while `qr`); the host rotates it and clears it once linked or expired. */
  qr: SessionQrSchema.optional(),
  /** The last phone-number pairing code the host produced, matched to the API request by `requestId`. */
  pairingCode: SessionPairingCodeSchema.optional(),
  /** Present while WhatsApp restricts the account from reaching out to new contacts. */
  restriction: SessionRestrictionSchema.optional(),
  /** Rejecting incoming calls automatically (absent: calls ring, `call.received` only). */
  rejectCalls: RejectCallsSchema.optional(),
  /** Host id holding the lease. */
  owner: z.string().min(1).optional(),
  /** Epoch milliseconds: compared with `Date.now()` in conditional updates, so a number, not ISO. */
  leaseUntil: z.number().int().nonnegative().optional(),
  /**
   * Raised each time a host takes the session from nobody or from another host; kept when the same owner
   * re-claims or renews. Writes fenced by the lease (the credentials) name owner AND epoch, so a host that lost
   * the session and got it back later can still not write with what it held before.
   */
  leaseEpoch: z.number().int().nonnegative().optional(),
  /**
   * When the session last went from connected (or stopped) to a status still on its way back (`starting`,
   * `reconnecting`, `qr`, `pairing`); kept through repeated writes of those, removed by any other status. Pool
   * failover measures "down for longer than the grace" from it: `updatedAt` moves with every reconnect attempt.
   */
  downSince: TimestampSchema.optional(),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});
export type Session = z.infer<typeof SessionSchema>;

/** Where a session runs now: the host holding its lease and until when the lease holds without a renewal. */
export const SessionRunsOnSchema = z.object({
  hostId: z.string().min(1),
  leaseExpiresAt: TimestampSchema,
});

/** What the API shows: the lease only as `runsOn` (while it holds), the QR and code through their own routes. */
export const SessionViewSchema = SessionSchema.omit({
  owner: true,
  leaseUntil: true,
  leaseEpoch: true,
  tenantId: true,
  qr: true,
  pairingCode: true,
  downSince: true,
}).extend({ runsOn: SessionRunsOnSchema.optional() });
export type SessionView = z.infer<typeof SessionViewSchema>;

export function toSessionView(session: Session, now: number = Date.now()): SessionView {
  const { owner, leaseUntil } = session;
  const held = owner !== undefined && leaseUntil !== undefined && leaseUntil > now;
  return SessionViewSchema.parse({
    ...session,
    ...(held ? { runsOn: { hostId: owner, leaseExpiresAt: new Date(leaseUntil).toISOString() } } : {}),
  });
}

/** `POST /v1/sessions`. */
export const CreateSessionRequestSchema = z.strictObject({ name: SessionNameSchema.optional() });
export type CreateSessionRequest = z.infer<typeof CreateSessionRequestSchema>;

/** `PATCH /v1/sessions/{id}`: the session's settings. */
export const UpdateSessionRequestSchema = z.strictObject({ rejectCalls: RejectCallsSchema });
export type UpdateSessionRequest = z.infer<typeof UpdateSessionRequestSchema>;

/** `POST /v1/sessions/{id}/pairing-code`. */
export const PairingCodeRequestSchema = z.strictObject({ phone: PhoneSchema });
export type PairingCodeRequest = z.infer<typeof PairingCodeRequestSchema>;
