import { describe, expect, it } from 'vitest';
import { DynamoMessageRepository } from '../../../../../shared/adapters/dynamodb/message-repository.js';
import { NotFoundError } from '../../../../../shared/domain/errors.js';
import { newId, nowIso } from '../../../../../shared/domain/ids.js';
import type { Message } from '../../../../../shared/domain/message.js';
import { uid, useDynamo } from './support.js';

const db = useDynamo();
const repo = () => new DynamoMessageRepository(db.ctx);

function message(sessionId: string, direction: Message['direction'], waMessageId: string): Message {
  const at = nowIso();
  return {
    id: newId(),
    tenantId: newId(),
    sessionId,
    direction,
    chatJid: '15551234567@s.whatsapp.net',
    ...(direction === 'outbound' ? { to: '+15551234567' } : { from: '+15551234567' }),
    type: 'text',
    content: { type: 'text', text: { body: 'hi' } },
    status: direction === 'outbound' ? 'sent' : 'delivered',
    statusHistory: [{ status: direction === 'outbound' ? 'sent' : 'delivered', at }],
    waMessageId,
    createdAt: at,
    updatedAt: at,
  };
}

describe('DynamoMessageRepository: the sent proto kept for retry receipts', () => {
  it('is found by WhatsApp id, replaced by a later save, and never shows on the domain message', async () => {
    const sessionId = newId();
    const wa = `3EB0${uid()}`;
    const m = (await repo().create(message(sessionId, 'outbound', wa))).message;
    expect(await repo().findSentProto(sessionId, wa)).toBeNull();

    await repo().saveSentProto(
      sessionId,
      m.id,
      Uint8Array.from([10, 2, 104, 105]),
      '2030-01-01T00:00:00.000Z',
    );
    await repo().saveSentProto(sessionId, m.id, Uint8Array.from([10, 1, 33]), '2030-01-01T00:00:05.000Z');
    const found = await repo().findSentProto(sessionId, wa);
    expect(found?.messageId).toBe(m.id);
    expect(found?.sentAt).toBe('2030-01-01T00:00:05.000Z');
    expect([...(found?.proto ?? [])]).toEqual([10, 1, 33]);

    expect(await repo().get(sessionId, m.id)).toEqual(m);
    expect(await repo().findByWaMessageId(sessionId, wa)).toEqual(m);
    expect(await repo().findSentProto(newId(), wa)).toBeNull();
  });

  it('is only kept for outbound messages that exist', async () => {
    const sessionId = newId();
    const inbound = (await repo().create(message(sessionId, 'inbound', `3EB0${uid()}`))).message;
    const proto = Uint8Array.from([10, 1, 33]);
    await expect(repo().saveSentProto(sessionId, inbound.id, proto, nowIso())).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(repo().saveSentProto(sessionId, newId(), proto, nowIso())).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect(await db.rawItem('messages', { sessionId, messageId: inbound.id })).not.toHaveProperty(
      'sentProto',
    );
  });
});
