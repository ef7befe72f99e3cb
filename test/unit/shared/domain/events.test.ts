import { describe, expect, it } from 'vitest';
import {
  DomainEventSchema,
  EVENT_SOURCE,
  EventTypeSchema,
  IdSchema,
  eventDetailType,
  makeEvent,
  newId,
  toEventBusEntry,
} from '../../../../shared/domain/index.js';

const tenantId = newId();
const sessionId = newId();
const createdAt = '2026-11-25T10:00:00.000Z';

describe('event catalog', () => {
  it('has the three event types of the design, then the later ones', () => {
    expect(EventTypeSchema.options).toEqual([
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
  });

  it('group events name the group by its jid and members by phone or LID', () => {
    const data = {
      groupId: '120363012345678901@g.us',
      action: 'promoted' as const,
      participants: [{ phone: '+15551234567' }, { lid: '201234567890123' }],
      by: { phone: '+15557654321', lid: '209876543210987' },
    };
    expect(makeEvent('group.participants', { tenantId, sessionId, data }).data).toEqual(data);
    expect(() =>
      makeEvent('group.participants', { tenantId, sessionId, data: { ...data, groupId: '+15551234567' } }),
    ).toThrow();
    expect(() =>
      makeEvent('group.left', {
        tenantId,
        sessionId,
        data: { groupId: data.groupId, reason: 'kicked' as 'left' },
      }),
    ).toThrow();
  });

  it('presence.updated names the contact by phone or LID, and refuses a presence WhatsApp has not', () => {
    const data = { contact: { lid: '201234567890123' }, presence: 'composing' as const };
    expect(makeEvent('presence.updated', { tenantId, sessionId, data }).data).toEqual(data);
    expect(() =>
      makeEvent('presence.updated', {
        tenantId,
        sessionId,
        data: { contact: {}, presence: 'available' },
      }),
    ).toThrow();
  });

  it('makes a session.status event with a fresh ULID and timestamp', () => {
    const event = makeEvent('session.status', {
      tenantId,
      sessionId,
      data: { status: 'connected', previousStatus: 'qr', phone: '+15551234567' },
    });
    expect(IdSchema.safeParse(event.id).success).toBe(true);
    expect(event.type).toBe('session.status');
    expect(event.data.status).toBe('connected');
    expect(Date.parse(event.createdAt)).not.toBeNaN();
    expect(Object.keys(event)).toEqual(['id', 'type', 'createdAt', 'tenantId', 'sessionId', 'data']);
  });

  it('makes a message.received event carrying the inbound message summary', () => {
    const messageId = newId();
    const event = makeEvent('message.received', {
      tenantId,
      sessionId,
      createdAt,
      data: {
        message: {
          id: messageId,
          waMessageId: '3EB0C767D71D2A3F4A1B',
          chatJid: '15551234567@s.whatsapp.net',
          from: { phone: '+15551234567' },
          pushName: 'Ann',
          type: 'text',
          content: { type: 'text', text: { body: 'hello' } },
          createdAt,
        },
      },
    });
    expect(event.data.message.id).toBe(messageId);
    expect(event.createdAt).toBe(createdAt);
  });

  it('makes a message.status event echoing metadata and error', () => {
    const event = makeEvent('message.status', {
      tenantId,
      sessionId,
      data: {
        messageId: newId(),
        status: 'failed',
        error: { code: 'not_on_whatsapp', message: 'the number has no WhatsApp account' },
        metadata: { orderId: 42 },
      },
    });
    expect(event.data.metadata).toEqual({ orderId: 42 });
    expect(event.data.error?.code).toBe('not_on_whatsapp');
  });

  it('refuses to make an event with bad data', () => {
    expect(() =>
      makeEvent('session.status', { tenantId, sessionId, data: { status: 'online' as 'connected' } }),
    ).toThrow();
    expect(() =>
      makeEvent('message.status', {
        tenantId: 'tenant-1',
        sessionId,
        data: { messageId: newId(), status: 'sent' },
      }),
    ).toThrow();
  });

  it('the envelope schema refuses data of another type and unknown types', () => {
    const base = { id: newId(), createdAt, tenantId, sessionId };
    expect(
      DomainEventSchema.safeParse({ ...base, type: 'session.status', data: { status: 'qr' } }).success,
    ).toBe(true);
    expect(
      DomainEventSchema.safeParse({ ...base, type: 'message.status', data: { status: 'qr' } }).success,
    ).toBe(false);
    expect(DomainEventSchema.safeParse({ ...base, type: 'session.qr', data: {} }).success).toBe(false);
    expect(
      DomainEventSchema.safeParse({
        ...base,
        type: 'session.status',
        createdAt: 'yesterday',
        data: { status: 'qr' },
      }).success,
    ).toBe(false);
  });

  it('maps to an EventBridge entry: source wa-platform, detail-type = event type, detail = the envelope', () => {
    const event = makeEvent('session.status', { tenantId, sessionId, createdAt, data: { status: 'qr' } });
    const entry = toEventBusEntry(event, 'wa-prod-events');
    expect(EVENT_SOURCE).toBe('wa-platform');
    expect(entry.Source).toBe('wa-platform');
    expect(entry.DetailType).toBe('session.status');
    expect(eventDetailType('message.status')).toBe('message.status');
    expect(entry.EventBusName).toBe('wa-prod-events');
    expect(entry.Time.toISOString()).toBe(createdAt);
    expect(DomainEventSchema.parse(JSON.parse(entry.Detail))).toEqual(event);
  });
});
