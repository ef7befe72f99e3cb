import { describe, expect, it } from 'vitest';
import {
  CreateWebhookRequestSchema,
  PatchWebhookRequestSchema,
  WebhookSubscriptionSchema,
  WebhookUrlSchema,
  generateWebhookSecret,
  newId,
  webhookMatches,
} from '../../../../shared/domain/index.js';

describe('WebhookUrlSchema', () => {
  it.each([
    'https://hooks.example.com/wa',
    'https://hooks.example.com:8443/wa?tenant=1',
    'http://localhost:3000/hook',
    'http://127.0.0.1:9999/hook',
    'http://[::1]:9999/hook',
  ])('accepts %s', (url) => {
    expect(WebhookUrlSchema.safeParse(url).success).toBe(true);
  });

  it.each([
    ['plain http to a public host', 'http://hooks.example.com/wa'],
    ['ftp', 'ftp://hooks.example.com/wa'],
    ['not a URL', 'hooks.example.com/wa'],
    ['credentials in the URL', 'https://user:pass@hooks.example.com/wa'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['an oversize URL', 'https://hooks.example.com/' + 'a'.repeat(2100)],
  ])('refuses %s', (_label, url) => {
    expect(WebhookUrlSchema.safeParse(url).success).toBe(false);
  });
});

describe('webhook requests and records', () => {
  it('create defaults to every event, enabled, and dedupes events', () => {
    expect(CreateWebhookRequestSchema.parse({ url: 'https://h.example/x' })).toEqual({
      url: 'https://h.example/x',
      events: ['*'],
      enabled: true,
    });
    const parsed = CreateWebhookRequestSchema.parse({
      url: 'https://h.example/x',
      events: ['message.received', 'message.received', 'message.status'],
    });
    expect(parsed.events).toEqual(['message.received', 'message.status']);
  });

  it.each([
    ['an unknown event', { events: ['message.deleted'] }],
    ['no events', { events: [] }],
    ['a bad session id', { sessionIds: ['abc'] }],
    ['an empty session list (absent means all)', { sessionIds: [] }],
    ['an unknown field', { secret: 'mine' }],
    ['enabled as string', { enabled: 'true' }],
  ])('create refuses %s', (_label, patch) => {
    expect(CreateWebhookRequestSchema.safeParse({ url: 'https://h.example/x', ...patch }).success).toBe(
      false,
    );
  });

  it('patch needs at least one field and lets sessionIds be cleared', () => {
    expect(PatchWebhookRequestSchema.safeParse({}).success).toBe(false);
    expect(PatchWebhookRequestSchema.parse({ sessionIds: null })).toEqual({ sessionIds: null });
    expect(PatchWebhookRequestSchema.parse({ enabled: false })).toEqual({ enabled: false });
    expect(PatchWebhookRequestSchema.safeParse({ url: 'http://example.com' }).success).toBe(false);
  });

  it('generates Standard Webhooks secrets shown by prefix', () => {
    const { secret, secretPrefix } = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    expect(secret.startsWith(secretPrefix)).toBe(true);
    expect(secretPrefix.length).toBeLessThan(16);
  });

  it('matches events by type, session and enabled flag', () => {
    const sessionId = newId();
    const sub = WebhookSubscriptionSchema.parse({
      id: newId(),
      tenantId: newId(),
      url: 'https://h.example/x',
      events: ['message.received'],
      sessionIds: [sessionId],
      enabled: true,
      secretPrefix: 'whsec_abcdef',
      createdAt: new Date().toISOString(),
    });
    expect(webhookMatches(sub, 'message.received', sessionId)).toBe(true);
    expect(webhookMatches(sub, 'message.status', sessionId)).toBe(false);
    expect(webhookMatches(sub, 'message.received', newId())).toBe(false);
    expect(webhookMatches({ ...sub, enabled: false }, 'message.received', sessionId)).toBe(false);
    const all = { ...sub, events: ['*' as const], sessionIds: undefined };
    expect(webhookMatches(all, 'session.status', newId())).toBe(true);
  });
});
