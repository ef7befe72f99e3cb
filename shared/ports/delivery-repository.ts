/**
 * Webhook deliveries: one per (subscription, event), whatever the number of fan-out runs, kept 30 days.
 * The id is derived from the event (`deliveryIdFor`), so a redelivered fan-out finds the delivery it already made
 * instead of making a duplicate, and the `webhook-id` header stays stable across retries and replays.
 */
import type { Delivery } from '../domain/delivery.js';
import type { DomainEvent, EventType } from '../domain/events.js';
import type { Page, PageRequest } from './pagination.js';

export const DELIVERY_RETENTION_DAYS = 30;

export interface NewDelivery {
  readonly webhookId: string;
  readonly tenantId: string;
  readonly eventId: string;
  readonly eventType: EventType;
  readonly createdAt: string;
}

/** A delivery to create with the event it carries (the replay payload), written in the same item. */
export interface NewDeliveryWithPayload extends NewDelivery {
  readonly payload: DomainEvent;
}

export interface DeliveryKey {
  readonly tenantId: string;
  readonly webhookId: string;
  readonly deliveryId: string;
}

export interface SucceededAttempt {
  readonly webhookId: string;
  readonly deliveryId: string;
  readonly outcome: AttemptOutcome;
}

export interface CreateDeliveryResult {
  readonly delivery: Delivery;
  readonly created: boolean;
}

export interface AttemptOutcome {
  readonly at: string;
  /** Absent when no HTTP response came back (DNS, timeout, refused address). */
  readonly statusCode?: number;
  readonly error?: string;
  /** When the next retry is due; absent when none is planned. */
  readonly nextAttemptAt?: string;
}

export interface DeliveryRepository {
  create(input: NewDelivery): Promise<CreateDeliveryResult>;
  /**
   * `create` for many, in as few round trips as the store allows, each new item holding its payload; an input
   * whose delivery exists already comes back with `created: false` and the stored delivery (payload untouched).
   * Results are in input order.
   */
  createMany(inputs: readonly NewDeliveryWithPayload[]): Promise<CreateDeliveryResult[]>;
  /** Another tenant's, or an expired delivery, is `null`. */
  get(tenantId: string, webhookId: string, deliveryId: string): Promise<Delivery | null>;
  /** `get` for many in one round trip (per 100); results in input order. */
  getMany(keys: readonly DeliveryKey[]): Promise<(Delivery | null)[]>;
  /** Newest first; expired deliveries are left out. */
  listByWebhook(tenantId: string, webhookId: string, page?: PageRequest): Promise<Page<Delivery>>;
  /** A failed attempt that will be retried: counts it, keeps the status `pending`. */
  recordAttempt(webhookId: string, deliveryId: string, outcome: AttemptOutcome): Promise<Delivery>;
  /** A successful attempt: counts it and ends the delivery. */
  markSucceeded(webhookId: string, deliveryId: string, outcome: AttemptOutcome): Promise<Delivery>;
  /** `markSucceeded` for many in one round trip (per 100); a delivery that is gone throws like `markSucceeded`. */
  markSucceededMany(attempts: readonly SucceededAttempt[]): Promise<void>;
  /** Retries exhausted (the job went to the DLQ); counts no attempt of its own. */
  markFailed(
    webhookId: string,
    deliveryId: string,
    outcome: { at: string; error?: string },
  ): Promise<Delivery>;
  /**
   * A tenant's replay: back to `pending`, kept another retention period, and a new round of attempts
   * (`replayedAtAttempts`). `NotFoundError` when missing.
   */
  markReplayed(tenantId: string, webhookId: string, deliveryId: string, at: string): Promise<Delivery>;
}

/**
 * The delivery id is the event id. Deliveries are keyed (webhookId, deliveryId), so that is unique per pair, and
 * it sorts by event time exactly (a derived id with hashed bits would scramble events of the same millisecond).
 * Receivers see one `webhook-id` per event on every endpoint, as Standard Webhooks senders (Svix) do: it is the
 * message's idempotency key.
 */
export function deliveryIdFor(eventId: string): string {
  return eventId;
}
