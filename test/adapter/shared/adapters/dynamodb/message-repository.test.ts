import { describe, expect, it } from 'vitest';
import { DynamoMessageRepository } from '../../../../../shared/adapters/dynamodb/message-repository.js';
import { NotFoundError, ValidationError } from '../../../../../shared/domain/errors.js';
import { newId } from '../../../../../shared/domain/ids.js';
import type { Message } from '../../../../../shared/domain/message.js';
import { uid, useDynamo } from './support.js';

const db = useDynamo();
const repo = () => new DynamoMessageRepository(db.ctx);
const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

function outbound(sessionId: string, overrides: Partial<Message> = {}): Message {
  return {
    id: newId(),
    tenantId: newId(),
    sessionId,
    direction: 'outbound',
    chatJid: '15551234567@s.whatsapp.net',
    to: '+15551234567',
    type: 'text',
    content: { type: 'text', text: { body: 'hi' } },
    status: 'queued',
    statusHistory: [{ status: 'queued', at: at(0) }],
    metadata: { order: 42, tags: ['a'], nested: { ok: true, none: null } },
    createdAt: at(0),
    updatedAt: at(0),
    ...overrides,
  };
}

describe('DynamoMessageRepository', () => {
  it('creates idempotently: a replay with the same id returns the stored message', async () => {
    const sessionId = newId();
    const m = outbound(sessionId);
    const first = await repo().create(m);
    expect(first).toEqual({ message: m, created: true });
    const replay = await repo().create({ ...m, content: { type: 'text', text: { body: 'changed' } } });
    expect(replay.created).toBe(false);
    expect(replay.message).toEqual(m);
    expect(await repo().get(sessionId, m.id)).toEqual(m);
    expect(await repo().get(newId(), m.id)).toBeNull();
  });

  it('keeps storage attributes out of returned messages', async () => {
    const sessionId = newId();
    const m = outbound(sessionId, { waMessageId: `WA${uid()}` });
    await repo().create(m);
    const raw = await db.rawItem('messages', { sessionId, messageId: m.id });
    expect(raw).toMatchObject({ queuedFor: sessionId, chatKey: `${sessionId}#${m.chatJid}` });
    expect(raw?.waKey).toBe(`${sessionId}#${m.waMessageId}`);
    const got = await repo().get(sessionId, m.id);
    for (const k of ['queuedFor', 'chatKey', 'waKey', 'messageId']) expect(got).not.toHaveProperty(k);
  });

  it('advances status forward only, appending history once per change', async () => {
    const sessionId = newId();
    const m = (await repo().create(outbound(sessionId))).message;
    const wa = `WA${uid()}`;
    const sending = await repo().advanceStatus(sessionId, m.id, 'sending', { at: at(1) });
    expect(sending.changed).toBe(true);
    const sent = await repo().advanceStatus(sessionId, m.id, 'sent', { at: at(2), waMessageId: wa });
    expect(sent.message).toMatchObject({ status: 'sent', waMessageId: wa, updatedAt: at(2) });
    const delivered = await repo().advanceStatus(sessionId, m.id, 'delivered', { at: at(3) });
    expect(delivered.changed).toBe(true);

    // A late `sent` receipt, a replayed `delivered` and a `failed` after sending are all no-ops.
    const late = await repo().advanceStatus(sessionId, m.id, 'sent', { at: at(4) });
    expect(late).toMatchObject({ changed: false, message: { status: 'delivered' } });
    expect((await repo().advanceStatus(sessionId, m.id, 'delivered', { at: at(5) })).changed).toBe(false);
    const failed = await repo().advanceStatus(sessionId, m.id, 'failed', {
      at: at(6),
      error: { code: 'x', message: 'y' },
    });
    expect(failed.changed).toBe(false);
    expect((await repo().advanceStatus(sessionId, m.id, 'queued', { at: at(7) })).changed).toBe(false);

    const stored = await repo().get(sessionId, m.id);
    expect(stored?.status).toBe('delivered');
    expect(stored?.error).toBeUndefined();
    expect(stored?.statusHistory.map((h) => h.status)).toEqual(['queued', 'sending', 'sent', 'delivered']);
    // Skipping is forward too: a read receipt may arrive before delivered on other messages.
    expect((await repo().advanceStatus(sessionId, m.id, 'read', { at: at(8) })).changed).toBe(true);
    expect((await repo().findByWaMessageId(sessionId, wa))?.id).toBe(m.id);
    expect(await repo().findByWaMessageId(newId(), wa)).toBeNull();
    await expect(repo().advanceStatus(sessionId, newId(), 'sent', { at: at(9) })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('applies one of many concurrent identical updates and records it once', async () => {
    const sessionId = newId();
    const m = (await repo().create(outbound(sessionId))).message;
    const results = await Promise.all(
      Array.from({ length: 6 }, () => repo().advanceStatus(sessionId, m.id, 'sent', { at: at(1) })),
    );
    expect(results.filter((r) => r.changed)).toHaveLength(1);
    const stored = await repo().get(sessionId, m.id);
    expect(stored?.statusHistory.map((h) => h.status)).toEqual(['queued', 'sent']);
  });

  it('fails a queued message with its error, and then nothing moves it', async () => {
    const sessionId = newId();
    const m = (await repo().create(outbound(sessionId))).message;
    const failed = await repo().advanceStatus(sessionId, m.id, 'failed', {
      at: at(1),
      error: { code: 'not_on_whatsapp', message: 'no account' },
    });
    expect(failed.message).toMatchObject({ status: 'failed', error: { code: 'not_on_whatsapp' } });
    expect((await repo().advanceStatus(sessionId, m.id, 'sent', { at: at(2) })).changed).toBe(false);
    expect(await repo().listQueued(sessionId)).toEqual([]);
  });

  it('drains the queued index in send order and empties it once sent', async () => {
    const sessionId = newId();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await repo().create(outbound(sessionId))).message.id);
    await repo().create(
      outbound(sessionId, { status: 'sent', statusHistory: [{ status: 'sent', at: at(0) }] }),
    );
    await repo().create(outbound(newId())); // another session's backlog
    expect((await repo().listQueued(sessionId)).map((m) => m.id)).toEqual(ids);
    expect((await repo().listQueued(sessionId, 2)).map((m) => m.id)).toEqual(ids.slice(0, 2));

    await repo().advanceStatus(sessionId, ids[0]!, 'sending', { at: at(1) });
    expect((await repo().listQueued(sessionId)).map((m) => m.id)).toEqual(ids.slice(1));
    const raw = await db.rawItem('messages', { sessionId, messageId: ids[0] });
    expect(raw).not.toHaveProperty('queuedFor');

    for (const id of ids.slice(1)) await repo().advanceStatus(sessionId, id, 'sent', { at: at(2) });
    expect(await repo().listQueued(sessionId)).toEqual([]);
  });

  it('lists the sends left `sending` from their own sparse index, and drops them once they move on', async () => {
    const sessionId = newId();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await repo().create(outbound(sessionId))).message.id);
    const other = newId();
    const foreign = (await repo().create(outbound(other))).message.id;
    await repo().advanceStatus(other, foreign, 'sending', { at: at(1) }); // another session's
    expect(await repo().listSending(sessionId)).toEqual([]);

    for (const id of ids)
      await repo().advanceStatus(sessionId, id, 'sending', { at: at(1), waMessageId: `WA${id}` });
    const sending = await repo().listSending(sessionId);
    expect(sending.map((m) => m.id)).toEqual(ids);
    expect(sending[0]).toMatchObject({ status: 'sending', waMessageId: `WA${ids[0]}` });
    expect(sending[0]).not.toHaveProperty('sendingFor');

    await repo().advanceStatus(sessionId, ids[0]!, 'sent', { at: at(2) });
    await repo().advanceStatus(sessionId, ids[1]!, 'failed', {
      at: at(2),
      error: { code: 'send_failed', message: 'gave up' },
    });
    expect((await repo().listSending(sessionId)).map((m) => m.id)).toEqual([ids[2]]);
    expect(await db.rawItem('messages', { sessionId, messageId: ids[0] })).not.toHaveProperty('sendingFor');
  });

  it('pages a chat’s history both ways and refuses a tampered or foreign cursor', async () => {
    const sessionId = newId();
    const chatJid = `1555${uid().replace(/\D/g, '').padEnd(7, '0').slice(0, 7)}@s.whatsapp.net`;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await repo().create(outbound(sessionId, { chatJid }))).message.id);
    await repo().create(outbound(sessionId)); // another chat of the same session

    const collect = async (direction: 'forward' | 'backward') => {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await repo().listByChat(sessionId, chatJid, { limit: 2, cursor, direction });
        seen.push(...page.items.map((m) => m.id));
        cursor = page.cursor;
        pages++;
      } while (cursor);
      expect(pages).toBeGreaterThanOrEqual(3);
      return seen;
    };
    expect(await collect('backward')).toEqual([...ids].reverse());
    expect(await collect('forward')).toEqual(ids);

    const page = await repo().listByChat(sessionId, chatJid, { limit: 2 });
    const decoded = JSON.parse(Buffer.from(page.cursor!.split('.')[0]!, 'base64url').toString()) as Record<
      string,
      string
    >;
    const foreign = Buffer.from(
      JSON.stringify({ ...decoded, chatKey: `${newId()}#x@s.whatsapp.net` }),
    ).toString('base64url');
    await expect(repo().listByChat(sessionId, chatJid, { cursor: foreign })).rejects.toBeInstanceOf(
      ValidationError,
    );
    // A session-list cursor is not a chat cursor.
    const sessionPage = await repo().listBySession(sessionId, { limit: 1 });
    await expect(
      repo().listByChat(sessionId, chatJid, { cursor: sessionPage.cursor }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(repo().listByChat(sessionId, chatJid, { cursor: '%%%' })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });

  it('lists a session’s messages newest first across pages', async () => {
    const sessionId = newId();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await repo().create(outbound(sessionId))).message.id);
    const first = await repo().listBySession(sessionId, { limit: 2 });
    const second = await repo().listBySession(sessionId, { limit: 2, cursor: first.cursor });
    expect([...first.items, ...second.items].map((m) => m.id)).toEqual([...ids].reverse());
    expect(second.cursor).toBeUndefined();
  });

  it('the message.received outbox: a pending marker kept out of the domain, listed oldest first, cleared idempotently', async () => {
    const sessionId = newId();
    const inbound = (s: number): Message =>
      outbound(sessionId, {
        direction: 'inbound',
        to: undefined,
        from: { phone: '+15557654321' },
        status: 'delivered',
        statusHistory: [{ status: 'delivered', at: at(s) }],
        waMessageId: `WA${uid()}`,
        metadata: undefined,
        createdAt: at(s),
        updatedAt: at(s),
      });
    const pending: Message[] = [];
    for (let i = 0; i < 3; i++) {
      const { message } = await repo().create(inbound(i), { eventPending: true });
      pending.push(message);
    }
    // Without the option (sends, or a message whose event needs no outbox) nothing is marked.
    await repo().create(inbound(9));
    await repo().create(outbound(sessionId));
    // Another session's pending message stays in its own partition.
    const elsewhere = newId();
    await repo().create({ ...inbound(0), id: newId(), sessionId: elsewhere }, { eventPending: true });

    const [first, second, third] = pending.map((m) => m.id) as [string, string, string];
    const raw = await db.rawItem('messages', { sessionId, messageId: first });
    expect(raw?.eventPendingSession).toBe(sessionId);
    const got = await repo().get(sessionId, first);
    expect(got).toEqual(pending[0]);
    expect(got).not.toHaveProperty('eventPendingSession');

    expect((await repo().listPendingEvents(sessionId)).map((m) => m.id)).toEqual([first, second, third]);
    expect(await repo().listPendingEvents(sessionId)).toEqual(pending);
    expect((await repo().listPendingEvents(sessionId, { limit: 2 })).map((m) => m.id)).toEqual([
      first,
      second,
    ]);
    expect((await repo().listPendingEvents(sessionId, { afterId: second })).map((m) => m.id)).toEqual([
      third,
    ]);

    await repo().clearPendingEvent(sessionId, second);
    await repo().clearPendingEvent(sessionId, second);
    expect((await repo().listPendingEvents(sessionId)).map((m) => m.id)).toEqual([first, third]);
    expect(await db.rawItem('messages', { sessionId, messageId: second })).not.toHaveProperty(
      'eventPendingSession',
    );
    expect(await repo().get(sessionId, second)).toEqual(pending[1]);

    // Clearing a message that does not exist writes nothing.
    const missing = newId();
    await repo().clearPendingEvent(sessionId, missing);
    expect(await db.rawItem('messages', { sessionId, messageId: missing })).toBeUndefined();
    expect(await repo().listPendingEvents(elsewhere)).toHaveLength(1);
  });

  it('read receipts: marking read sets a pending marker kept out of the domain, listed oldest first, cleared idempotently', async () => {
    const sessionId = newId();
    const received = (s: number): Message =>
      outbound(sessionId, {
        direction: 'inbound',
        to: undefined,
        from: { phone: '+15557654321' },
        status: 'delivered',
        statusHistory: [{ status: 'delivered', at: at(s) }],
        waMessageId: `WA${uid()}`,
        metadata: undefined,
        createdAt: at(s),
        updatedAt: at(s),
      });
    const [a, b, c] = [received(0), received(1), received(2)];
    for (const m of [a, b, c]) await repo().create(m);
    const elsewhere = newId();
    await repo().create({ ...received(0), id: newId(), sessionId: elsewhere });

    const read = await repo().advanceStatus(sessionId, b.id, 'read', { at: at(5), readReceiptPending: true });
    expect(read.changed).toBe(true);
    expect(read.message).not.toHaveProperty('receiptPendingFor');
    expect(read.message.statusHistory).toEqual([
      { status: 'delivered', at: at(1) },
      { status: 'read', at: at(5) },
    ]);
    await repo().advanceStatus(sessionId, a.id, 'read', { at: at(5), readReceiptPending: true });
    // Without the option (a contact's read receipt of our send) nothing is marked.
    await repo().advanceStatus(sessionId, c.id, 'read', { at: at(5) });
    expect(await db.rawItem('messages', { sessionId, messageId: b.id })).toMatchObject({
      receiptPendingFor: sessionId,
    });
    expect((await repo().listReadReceiptsPending(sessionId)).map((m) => [m.id, m.status])).toEqual([
      [a.id, 'read'],
      [b.id, 'read'],
    ]);
    expect((await repo().listReadReceiptsPending(sessionId, 1)).map((m) => m.id)).toEqual([a.id]);
    // Once sent, a second mark is refused (read does not advance to read), so the marker is not set again.
    await repo().clearReadReceiptPending(sessionId, a.id);
    expect(
      (await repo().advanceStatus(sessionId, a.id, 'read', { at: at(6), readReceiptPending: true })).changed,
    ).toBe(false);
    expect((await repo().listReadReceiptsPending(sessionId)).map((m) => m.id)).toEqual([b.id]);
    expect(await repo().listReadReceiptsPending(elsewhere)).toEqual([]);

    await repo().clearReadReceiptPending(sessionId, b.id);
    await repo().clearReadReceiptPending(sessionId, b.id);
    expect(await repo().listReadReceiptsPending(sessionId)).toEqual([]);
    expect((await repo().get(sessionId, b.id))?.status).toBe('read');
    const missing = newId();
    await repo().clearReadReceiptPending(sessionId, missing);
    expect(await db.rawItem('messages', { sessionId, messageId: missing })).toBeUndefined();
  });
});
