/** The Baileys keys read receipts are sent under: the message as WhatsApp addressed it to us. */
import { describe, expect, it } from 'vitest';
import { newId } from '../../../../shared/domain/ids.js';
import type { Message } from '../../../../shared/domain/message.js';
import { readReceiptKey } from '../../../../session-host/messaging/read.js';

const at = '2030-01-01T00:00:00.000Z';
const inbound = (overrides: Partial<Message>): Message => ({
  id: newId(),
  tenantId: newId(),
  sessionId: newId(),
  direction: 'inbound',
  chatJid: '15551230001@s.whatsapp.net',
  senderJid: '15551230001@s.whatsapp.net',
  type: 'text',
  content: { type: 'text', text: { body: 'hi' } },
  status: 'read',
  statusHistory: [{ status: 'read', at }],
  waMessageId: 'WA1',
  createdAt: at,
  updatedAt: at,
  ...overrides,
});

describe('readReceiptKey', () => {
  it('a one-to-one message: the sender jid, not from me', () => {
    expect(readReceiptKey(inbound({}))).toEqual({
      remoteJid: '15551230001@s.whatsapp.net',
      id: 'WA1',
      fromMe: false,
    });
  });

  it('a migrated contact wrote from her LID: the receipt goes to the LID although the chat is her number', () => {
    const m = inbound({
      senderJid: '201234567890123@lid',
      from: { phone: '+15551230001', lid: '201234567890123' },
    });
    expect(readReceiptKey(m)).toMatchObject({ remoteJid: '201234567890123@lid', id: 'WA1' });
  });

  it('a group message: the group, with its author as participant', () => {
    const m = inbound({ chatJid: '120363000000000001@g.us', senderJid: '201234567890123@lid' });
    expect(readReceiptKey(m)).toEqual({
      remoteJid: '120363000000000001@g.us',
      id: 'WA1',
      participant: '201234567890123@lid',
      fromMe: false,
    });
  });

  it('nothing for our own messages or one without a WhatsApp id', () => {
    expect(readReceiptKey(inbound({ direction: 'outbound' }))).toBeNull();
    expect(readReceiptKey(inbound({ waMessageId: undefined }))).toBeNull();
    expect(readReceiptKey(inbound({ chatJid: '120363000000000001@g.us', senderJid: undefined }))).toBeNull();
  });
});
