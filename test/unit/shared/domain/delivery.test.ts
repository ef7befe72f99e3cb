import { describe, expect, it } from 'vitest';
import { DeliverySchema, newId } from '../../../../shared/domain/index.js';

const now = new Date().toISOString();

describe('DeliverySchema', () => {
  const delivery = {
    id: newId(),
    webhookId: newId(),
    tenantId: newId(),
    eventId: newId(),
    eventType: 'message.status',
    status: 'pending',
    attempts: 0,
    createdAt: now,
  };

  it('accepts a fresh and a failed delivery', () => {
    expect(DeliverySchema.safeParse(delivery).success).toBe(true);
    expect(
      DeliverySchema.safeParse({
        ...delivery,
        status: 'failed',
        attempts: 8,
        lastAttemptAt: now,
        lastStatusCode: 503,
        lastError: 'HTTP 503',
      }).success,
    ).toBe(true);
  });

  it.each([
    ['unknown status', { status: 'retrying' }],
    ['negative attempts', { attempts: -1 }],
    ['impossible status code', { lastStatusCode: 42 }],
    ['unknown event type', { eventType: 'message.deleted' }],
    ['oversize error', { lastError: 'x'.repeat(501) }],
  ])('refuses %s', (_label, patch) => {
    expect(DeliverySchema.safeParse({ ...delivery, ...patch }).success).toBe(false);
  });
});
