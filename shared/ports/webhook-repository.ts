/**
 * Webhook subscriptions, per tenant. The signing secret is not part of the domain object (it is shown once at
 * creation): the repository keeps it as an opaque string, exactly as the caller hands it over (the caller may
 * encrypt it first), and gives it back only through `getSigningSecret`, for the delivery worker.
 */
import type { EventType } from '../domain/events.js';
import type { WebhookEventFilter, WebhookSubscription } from '../domain/webhook.js';
import type { Page, PageRequest } from './pagination.js';

export interface WebhookPatch {
  readonly url?: string;
  /** `null` removes it. */
  readonly description?: string | null;
  readonly events?: WebhookEventFilter[];
  /** `null` widens the subscription back to every session. */
  readonly sessionIds?: string[] | null;
  readonly enabled?: boolean;
  readonly updatedAt: string;
}

export interface WebhookRepository {
  /** Idempotent on id for the same tenant and url; anything else under that id is a `ConflictError`. */
  create(subscription: WebhookSubscription, signingSecret: string): Promise<WebhookSubscription>;
  /** Another tenant's subscription is `null`. */
  get(tenantId: string, webhookId: string): Promise<WebhookSubscription | null>;
  getSigningSecret(tenantId: string, webhookId: string): Promise<string | null>;
  list(tenantId: string, page?: PageRequest): Promise<Page<WebhookSubscription>>;
  /** `NotFoundError` when missing (or another tenant's). */
  update(tenantId: string, webhookId: string, patch: WebhookPatch): Promise<WebhookSubscription>;
  /** `NotFoundError` when missing (or another tenant's). */
  delete(tenantId: string, webhookId: string): Promise<void>;
  /** Enabled subscriptions of the tenant that want this event type (or `*`) for this session. */
  listForEvent(tenantId: string, eventType: EventType, sessionId: string): Promise<WebhookSubscription[]>;
}
