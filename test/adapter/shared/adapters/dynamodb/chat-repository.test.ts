import { describe, expect, it } from 'vitest';
import { DynamoChatRepository } from '../../../../../shared/adapters/dynamodb/chat-repository.js';
import type { ChatLastMessage } from '../../../../../shared/domain/chat.js';
import { ConflictError, NotFoundError, ValidationError } from '../../../../../shared/domain/errors.js';
import { newId } from '../../../../../shared/domain/ids.js';
import type { RecordChatMessageInput } from '../../../../../shared/ports/chat-repository.js';
import { useDynamo } from './support.js';

const db = useDynamo();
const repo = () => new DynamoChatRepository(db.ctx);
const at = (s: number) => new Date(Date.parse('2030-01-01T00:00:00.000Z') + s * 1000).toISOString();

function input(
  sessionId: string,
  chatJid: string,
  second: number,
  direction: ChatLastMessage['direction'] = 'inbound',
): RecordChatMessageInput {
  return {
    tenantId: newId(),
    sessionId,
    chatJid,
    lastMessage: { id: newId(), type: 'text', preview: `m${second}`, at: at(second), direction },
  };
}

describe('DynamoChatRepository', () => {
  it('creates a chat on its first message and counts inbound messages as unread', async () => {
    const sessionId = newId();
    const jid = '15550000001@s.whatsapp.net';
    const first = await repo().recordMessage({
      ...input(sessionId, jid, 1),
      name: 'Ann',
      phone: '+15550000001',
    });
    expect(first).toMatchObject({ unreadCount: 1, name: 'Ann', lastMessage: { preview: 'm1' } });
    expect(first).not.toHaveProperty('lastMessageAt');
    await repo().recordMessage(input(sessionId, jid, 2));
    const out = await repo().recordMessage(input(sessionId, jid, 3, 'outbound'));
    expect(out).toMatchObject({
      unreadCount: 2,
      name: 'Ann',
      lastMessage: { preview: 'm3', direction: 'outbound' },
    });
    const read = await repo().markRead(sessionId, jid);
    expect(read.unreadCount).toBe(0);
    expect((await repo().get(sessionId, jid))?.unreadCount).toBe(0);
    await expect(repo().markRead(sessionId, 'nobody@s.whatsapp.net')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('a conditional reset: only while the last message is the one seen, else a conflict', async () => {
    const sessionId = newId();
    const jid = '15550000003@s.whatsapp.net';
    const seen = await repo().recordMessage(input(sessionId, jid, 1));
    await repo().recordMessage(input(sessionId, jid, 2));
    await expect(
      repo().markRead(sessionId, jid, { ifLastMessageId: seen.lastMessage.id }),
    ).rejects.toBeInstanceOf(ConflictError);
    expect((await repo().get(sessionId, jid))?.unreadCount).toBe(2);
    const latest = (await repo().get(sessionId, jid))!.lastMessage.id;
    expect((await repo().markRead(sessionId, jid, { ifLastMessageId: latest })).unreadCount).toBe(0);
    await expect(
      repo().markRead(sessionId, 'nobody@s.whatsapp.net', { ifLastMessageId: latest }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('sets app-state flags on an existing chat only; a null mutedUntil removes the end time', async () => {
    const sessionId = newId();
    const jid = '15550000004@s.whatsapp.net';
    await repo().recordMessage(input(sessionId, jid, 1));
    const muted = await repo().setState(sessionId, jid, {
      archived: true,
      pinned: true,
      muted: true,
      mutedUntil: at(3600),
      unread: true,
    });
    expect(muted).toMatchObject({
      archived: true,
      pinned: true,
      muted: true,
      mutedUntil: at(3600),
      unread: true,
    });
    const forever = await repo().setState(sessionId, jid, { muted: true, mutedUntil: null, archived: false });
    expect(forever).toMatchObject({ archived: false, pinned: true, muted: true, unreadCount: 1 });
    expect(forever).not.toHaveProperty('mutedUntil');
    // The chats list is built from messages: no chat is created for a flag.
    expect(await repo().setState(sessionId, '15550000005@s.whatsapp.net', { archived: true })).toBeNull();
    expect(await repo().get(sessionId, '15550000005@s.whatsapp.net')).toBeNull();
  });

  it('keeps the newer preview when an older message arrives late, but still counts it', async () => {
    const sessionId = newId();
    const jid = '15550000002@s.whatsapp.net';
    await repo().recordMessage(input(sessionId, jid, 10));
    const late = await repo().recordMessage(input(sessionId, jid, 5));
    expect(late.lastMessage.preview).toBe('m10');
    expect(late.unreadCount).toBe(2);
    const raw = await db.rawItem('chats', { sessionId, chatJid: jid });
    expect(raw?.lastMessageAt).toBe(at(10));
  });

  it('lists chats by latest activity across pages and refuses a foreign cursor', async () => {
    const sessionId = newId();
    const jids = [1, 2, 3, 4, 5].map((i) => `1555000010${i}@s.whatsapp.net`);
    for (const [i, jid] of jids.entries()) await repo().recordMessage(input(sessionId, jid, 100 + i));
    // Activity on the oldest chat moves it to the top.
    await repo().recordMessage(input(sessionId, jids[0]!, 200));
    await repo().recordMessage(input(newId(), jids[0]!, 300)); // another session's chat

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await repo().listByActivity(sessionId, { limit: 2, cursor });
      seen.push(...page.items.map((c) => c.chatJid));
      cursor = page.cursor;
    } while (cursor);
    expect(seen).toEqual([jids[0], jids[4], jids[3], jids[2], jids[1]]);

    const page = await repo().listByActivity(sessionId, { limit: 1 });
    const key = JSON.parse(Buffer.from(page.cursor!.split('.')[0]!, 'base64url').toString()) as Record<
      string,
      string
    >;
    const foreign = Buffer.from(JSON.stringify({ ...key, sessionId: newId() })).toString('base64url');
    await expect(repo().listByActivity(sessionId, { cursor: foreign })).rejects.toBeInstanceOf(
      ValidationError,
    );
    const wrongType = Buffer.from(JSON.stringify({ ...key, lastMessageAt: 5 })).toString('base64url');
    await expect(repo().listByActivity(sessionId, { cursor: wrongType })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });
});
