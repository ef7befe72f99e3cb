import { describe, expect, it } from 'vitest';
import {
  WS_EVENT_TYPES,
  WsEventFrameSchema,
  parseWsServerFrame,
  sessionQrFrame,
  sessionStatusFrame,
} from '../../../../shared/contracts/ws-frames.js';
import { EVENT_RULES } from '../../../../shared/definitions/event-rules.js';
import { makeEvent } from '../../../../shared/domain/events.js';
import { newId, nowIso } from '../../../../shared/domain/ids.js';

const tenantId = newId();
const sessionId = newId();

describe('WebSocket frames', () => {
  it('the event frames are the live event types, exactly what the realtime rule routes', () => {
    expect([...WS_EVENT_TYPES].sort()).toEqual(
      [
        'chat.updated',
        'message.received',
        'message.status',
        'session.restricted',
        'session.status',
        'message.edited',
        'message.revoked',
        'poll.vote',
        'presence.updated',
        'call.received',
      ].sort(),
    );
    const rule = EVENT_RULES.find((r) => r.targetQueue === 'realtimePush');
    expect(rule?.pattern['detail-type']).toEqual([...WS_EVENT_TYPES]);
  });

  it('parses an event frame as the event envelope, and tells it from the host status frame of the same type', () => {
    const event = makeEvent('session.status', {
      tenantId,
      sessionId,
      data: { status: 'connected', previousStatus: 'qr', phone: '+15551234567' },
    });
    expect(parseWsServerFrame(JSON.parse(JSON.stringify(event)))).toEqual(event);

    const hostFrame = sessionStatusFrame({ sessionId, status: 'connected', at: nowIso() });
    expect(parseWsServerFrame(hostFrame)).toEqual(hostFrame);
    const qr = sessionQrFrame({ sessionId, qr: '2@abc', refresh: 1, expiresAt: nowIso() });
    expect(parseWsServerFrame(qr)).toEqual(qr);
    expect(parseWsServerFrame({ type: 'pong' })).toEqual({ type: 'pong' });

    const chat = makeEvent('chat.updated', {
      tenantId,
      sessionId,
      data: {
        chat: {
          sessionId,
          chatJid: '15557654321@s.whatsapp.net',
          phone: '+15557654321',
          lastMessage: { id: newId(), type: 'text', preview: 'hi', at: nowIso(), direction: 'inbound' },
          unreadCount: 1,
          archived: false,
          pinned: false,
          muted: false,
          unread: false,
        },
      },
    });
    expect(WsEventFrameSchema.parse(chat)).toEqual(chat);
  });

  it('refuses what the browser must not act on: a malformed event, an unknown type, a half frame', () => {
    const event = makeEvent('message.status', {
      tenantId,
      sessionId,
      data: { messageId: newId(), status: 'read' },
    });
    expect(() => parseWsServerFrame({ ...event, data: { status: 'read' } })).toThrow(/messageId/);
    expect(() => parseWsServerFrame({ ...event, type: 'tenant.deleted' })).toThrow();
    expect(() => parseWsServerFrame({ type: 'session.qr', sessionId })).toThrow(/qr/);
    expect(() => parseWsServerFrame('pong')).toThrow();
    expect(() => parseWsServerFrame(null)).toThrow();
  });
});
