import { describe, expect, it } from 'vitest';
import { ChatSchema, newId } from '../../../../shared/domain/index.js';

const now = new Date().toISOString();

describe('ChatSchema', () => {
  const chat = {
    tenantId: newId(),
    sessionId: newId(),
    chatJid: '15551234567@s.whatsapp.net',
    phone: '+15551234567',
    name: 'Ann',
    lastMessage: { id: newId(), type: 'text', preview: 'hi', at: now, direction: 'inbound' },
    unreadCount: 2,
  };

  it('accepts a chat, and a group chat without phone', () => {
    expect(ChatSchema.safeParse(chat).success).toBe(true);
    const { phone: _phone, ...group } = chat;
    expect(ChatSchema.safeParse({ ...group, chatJid: '120363025246125486@g.us' }).success).toBe(true);
  });

  it.each([
    ['negative unread count', { unreadCount: -1 }],
    ['fractional unread count', { unreadCount: 1.5 }],
    ['unknown direction', { lastMessage: { ...chat.lastMessage, direction: 'both' } }],
    ['unknown message type', { lastMessage: { ...chat.lastMessage, type: 'gif' } }],
    ['missing last message', { lastMessage: undefined }],
  ])('refuses %s', (_label, patch) => {
    expect(ChatSchema.safeParse({ ...chat, ...patch }).success).toBe(false);
  });
});
