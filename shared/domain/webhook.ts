import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import { EventTypeSchema } from './events.js';
import { IdSchema, TimestampSchema } from './ids.js';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/**
 * https anywhere, or plain http to a loopback host (the local stack's receivers). Loopback itself, private
 * ranges and metadata addresses are refused by the delivery-side address check (which a local-mode flag
 * relaxes for loopback), because only a DNS lookup at send time can tell where a name points.
 */
export const WebhookUrlSchema = z
  .url({ protocol: /^https?$/, error: 'must be an https URL' })
  .max(2048)
  // Zod keeps running string checks after a format failure; `url` is null then and the issue is already there.
  .refine((raw) => {
    const url = URL.parse(raw);
    return url === null || url.protocol === 'https:' || isLoopbackHost(url.hostname);
  }, 'must be an https URL (http is allowed for loopback only)')
  .refine((raw) => {
    const url = URL.parse(raw);
    return url === null || (url.username === '' && url.password === '');
  }, 'must not contain credentials; the signature authenticates us');

/** `*` subscribes to every event type, including ones added later. */
export const WebhookEventFilterSchema = z.union([EventTypeSchema, z.literal('*')]);
export type WebhookEventFilter = z.infer<typeof WebhookEventFilterSchema>;

const EventsSchema = z
  .array(WebhookEventFilterSchema)
  .min(1)
  .max(20)
  .transform((events) => [...new Set(events)]);

/** Empty means "every session", so it is spelled as absent rather than `[]`. */
const SessionIdsSchema = z.array(IdSchema).min(1).max(100);

export const WebhookSubscriptionSchema = z.object({
  id: IdSchema,
  tenantId: IdSchema,
  url: WebhookUrlSchema,
  description: z.string().max(200).optional(),
  events: EventsSchema,
  sessionIds: SessionIdsSchema.optional(),
  enabled: z.boolean(),
  /** First characters of the signing secret, to tell secrets apart; the secret is shown once. */
  secretPrefix: z.string().min(1),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema.optional(),
  /**
   * The endpoint's health, written by the delivery worker (`WebhookHealthStore`), read-only here: consecutive
   * failed attempts since the last success, and when and why it was disabled automatically.
   */
  failureStreak: z.number().int().nonnegative().optional(),
  failingSince: TimestampSchema.optional(),
  disabledAt: TimestampSchema.optional(),
  disabledReason: z.string().max(500).optional(),
});
export type WebhookSubscription = z.infer<typeof WebhookSubscriptionSchema>;

/** `POST /v1/webhooks`. */
export const CreateWebhookRequestSchema = z.strictObject({
  url: WebhookUrlSchema,
  description: z.string().max(200).optional(),
  events: EventsSchema.default(['*']),
  sessionIds: SessionIdsSchema.optional(),
  enabled: z.boolean().default(true),
});
export type CreateWebhookRequest = z.infer<typeof CreateWebhookRequestSchema>;

/** `PATCH /v1/webhooks/{id}`: at least one field; `sessionIds: null` widens back to every session. */
export const PatchWebhookRequestSchema = z
  .strictObject({
    url: WebhookUrlSchema.optional(),
    description: z.string().max(200).nullable().optional(),
    events: EventsSchema.optional(),
    sessionIds: SessionIdsSchema.nullable().optional(),
    enabled: z.boolean().optional(),
  })
  .refine((p) => Object.keys(p).length > 0, 'give at least one field to change');
export type PatchWebhookRequest = z.infer<typeof PatchWebhookRequestSchema>;

/** Standard Webhooks secret format (`whsec_` + base64 of 32 random bytes), what `standardwebhooks` expects. */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';
export const WEBHOOK_SECRET_DISPLAY_LENGTH = WEBHOOK_SECRET_PREFIX.length + 6;

export function generateWebhookSecret(): { secret: string; secretPrefix: string } {
  const secret = WEBHOOK_SECRET_PREFIX + randomBytes(32).toString('base64');
  return { secret, secretPrefix: secret.slice(0, WEBHOOK_SECRET_DISPLAY_LENGTH) };
}

export function webhookMatches(sub: WebhookSubscription, eventType: string, sessionId: string): boolean {
  if (!sub.enabled) return false;
  if (!sub.events.includes('*') && !sub.events.some((e) => e === eventType)) return false;
  return sub.sessionIds === undefined || sub.sessionIds.includes(sessionId);
}
