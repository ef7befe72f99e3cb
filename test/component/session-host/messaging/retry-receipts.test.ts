/**
 * The host answers retry receipts on today's server (receipts from the contact's LID, which rc14's own store
 * misses): HostMessaging keeps each sent proto on the message item and serves it through `getMessage`, with the
 * per-session retry counter the runner keeps. Real Baileys, DynamoDB Local, the simulator's contact phone.
 */
import { proto, type WASocket } from '@whiskeysockets/baileys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRetryCounterCache, RETRY_WINDOW_MS } from '../../../../session-host/compat/retry-receipts.js';
import { HostMessaging, waMessageIdFor } from '../../../../session-host/messaging/index.js';
import { NotFoundError } from '../../../../shared/domain/errors.js';
import { newId, nowIso } from '../../../../shared/domain/ids.js';
import type { Message } from '../../../../shared/domain/message.js';
import {
  connect,
  endAll,
  nextEvent,
  nextSimEvent,
  opened,
  retryReceiptAcks,
} from '../../../simulator/helpers.js';
import { queueMessage, startMessagingWorld, type LinkedAccount, type MessagingWorld } from './support.js';

const ME = '15554460001';
const ALICE = '+15554460002';
const ALICE_DIGITS = ALICE.slice(1);

type RetryReceiptEvent = { id: string; count: number; from: string; withKeys: boolean };
type ResendEvent = { id: string; retryCount: number };

describe('retry receipts answered by the session host', () => {
  let world: MessagingWorld;
  let me: LinkedAccount;
  const receipts: RetryReceiptEvent[] = [];
  const resends: ResendEvent[] = [];
  const laterSockets: WASocket[] = [];
  /** The message whose stored send time the stale test moved two days back. */
  let staleWaId = '';

  /** Sends one text and resolves once the contact shows it and the host is done with it. */
  const send = async (text: string): Promise<Message> => {
    const message = await queueMessage(world.repos, me, ALICE, { type: 'text', text: { body: text } });
    const shown = delivered(waMessageIdFor(message.id));
    me.session.ring(message.id);
    await shown;
    await me.session.idle();
    return message;
  };
  const delivered = (waId: string) =>
    nextSimEvent<[{ entry: { id: string; text?: string } }]>(
      world.sim.events,
      'message',
      (m) => m.entry.id === waId,
    );
  const inboxIds = (): string[] => world.sim.inbox(ALICE_DIGITS).map((e) => e.id);

  beforeAll(async () => {
    world = await startMessagingWorld();
    world.sim.addContact(ALICE, 'Alice');
    world.sim.events.on('retry-receipt', (r) => receipts.push(r));
    world.sim.events.on('retry-resend', (r) => resends.push(r));
    me = await world.link(ME, (sessionId) => ({
      getMessage: (key) => world.messaging.getMessage(sessionId, key),
      msgRetryCounterCache: createRetryCounterCache(),
    }));
  }, 60_000);

  afterAll(async () => {
    endAll(laterSockets);
    await world?.stop();
  });

  it('count 1 from the LID: resent under the same id, the contact shows it', async () => {
    world.sim.failDecryption(ALICE, { from: ME, count: 1, resendTimeoutMs: 5_000 });
    const queued = await queueMessage(world.repos, me, ALICE, { type: 'text', text: { body: 'first try' } });
    const waId = waMessageIdFor(queued.id);
    const shown = delivered(waId);
    me.session.ring(queued.id);
    const [{ entry }] = await shown;

    expect(entry.text).toBe('first try');
    expect(receipts.filter((r) => r.id === waId)).toEqual([
      expect.objectContaining({ count: 1, from: world.sim.getContact(ALICE)!.lid, withKeys: false }),
    ]);
    expect(resends.filter((r) => r.id === waId)).toEqual([expect.objectContaining({ retryCount: 1 })]);
    expect(inboxIds().filter((id) => id === waId)).toHaveLength(1);
  });

  it('the resend fails too: count 2 with keys, a fresh session from them, then shown', async () => {
    world.sim.failDecryption(ALICE, { from: ME, count: 2, resendTimeoutMs: 5_000 });
    const queued = await queueMessage(world.repos, me, ALICE, { type: 'text', text: { body: 'third time' } });
    const waId = waMessageIdFor(queued.id);
    const shown = delivered(waId);
    me.session.ring(queued.id);
    const [{ entry }] = await shown;

    expect(entry.text).toBe('third time');
    expect(receipts.filter((r) => r.id === waId).map((r) => [r.count, r.withKeys])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect(resends.filter((r) => r.id === waId).map((r) => r.retryCount)).toEqual([1, 2]);
  });

  it('a contact whose phone lost its session (reinstalled) asks for the message again, and shows the resend', async () => {
    await send('before the reinstall');
    expect(world.sim.forgetSessions(ALICE, { from: ME })).toBeGreaterThan(0);
    const queued = await queueMessage(world.repos, me, ALICE, {
      type: 'text',
      text: { body: 'after a reinstall' },
    });
    const waId = waMessageIdFor(queued.id);
    const shown = delivered(waId);
    me.session.ring(queued.id);
    const [{ entry }] = await shown;

    // No injected failure: the phone really could not decrypt the `msg`. One retry receipt was enough: the host's
    // resend starts a new Signal session (a pkmsg), which the phone can open.
    expect(entry.text).toBe('after a reinstall');
    expect(receipts.filter((r) => r.id === waId).map((r) => [r.count, r.withKeys])).toEqual([[1, false]]);
    expect(inboxIds().filter((id) => id === waId)).toHaveLength(1);
  });

  it('the sent proto is kept on the outbound item only, and never shows on the domain message', async () => {
    const sent = await send('kept as sent');
    const waId = waMessageIdFor(sent.id);
    const kept = await world.repos.messages.findSentProto(me.sessionId, waId);
    expect(kept?.messageId).toBe(sent.id);
    const decoded = proto.Message.decode(kept!.proto);
    expect(decoded.conversation ?? decoded.extendedTextMessage?.text).toBe('kept as sent');
    for (const message of [
      await world.repos.messages.get(me.sessionId, sent.id),
      await world.repos.messages.findByWaMessageId(me.sessionId, waId),
    ]) {
      expect(message?.id).toBe(sent.id);
      expect(message).not.toHaveProperty('sentProto');
      expect(message).not.toHaveProperty('sentProtoAt');
    }

    const at = nowIso();
    const { message: inbound } = await world.repos.messages.create({
      ...sent,
      id: newId(),
      direction: 'inbound',
      to: undefined,
      from: { phone: ALICE },
      status: 'delivered',
      statusHistory: [{ status: 'delivered', at }],
      waMessageId: '3EB0ABCDEF0123456789AB',
      createdAt: at,
      updatedAt: at,
    });
    await expect(
      world.repos.messages.saveSentProto(me.sessionId, inbound.id, kept!.proto, at),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      world.repos.messages.saveSentProto(me.sessionId, newId(), kept!.proto, at),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(await world.repos.messages.findSentProto(me.sessionId, '3EB0ABCDEF0123456789AB')).toBeNull();
  });

  it('a retry receipt for a message sent longer ago than the window is acked and not answered', async () => {
    const old = await send('two days ago');
    const waId = waMessageIdFor(old.id);
    staleWaId = waId;
    expect(inboxIds()).toContain(waId);
    const kept = await world.repos.messages.findSentProto(me.sessionId, waId);
    expect(kept?.messageId).toBe(old.id);
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3_600_000).toISOString();
    await world.repos.messages.saveSentProto(me.sessionId, old.id, kept!.proto, twoDaysAgo);
    expect(Date.now() - Date.parse(twoDaysAgo)).toBeGreaterThan(RETRY_WINDOW_MS);
    // A two-day-old send is long gone from rc14's own 5-minute memory of recent sends (keyed by the jid sent to,
    // the LID since sends go to the mapped LID): empty it, so only the durable copy could answer.
    me.socket.messageRetryManager?.clear();

    const acked = retryReceiptAcks(world.sim, waId);
    world.sim.sendRetryReceipt(ALICE, { to: ME, messageId: waId, count: 1 });
    await acked;

    expect(resends.map((r) => r.id)).not.toContain(waId);
    expect(inboxIds().filter((id) => id === waId)).toHaveLength(1);
  });

  it('a retry receipt (with keys) for an id we never sent is acked; the session goes on sending', async () => {
    const unknown = '3EB0FEEDFACE0123456789';
    const acked = retryReceiptAcks(world.sim, unknown);
    world.sim.sendRetryReceipt(ALICE, { to: ME, messageId: unknown, count: 2 });
    await acked;
    expect(resends.map((r) => r.id)).not.toContain(unknown);
    expect(me.socket.ws.isOpen).toBe(true);

    const after = await send('still here');
    expect((await world.repos.messages.get(me.sessionId, after.id))?.status).toBe('sent');
    expect(inboxIds()).toContain(waMessageIdFor(after.id));
  });

  it('after a move to another host: receipts queued while offline arrive at login; the recent message is resent from DynamoDB, the stale one is not', async () => {
    const recent = await send('sent before the move');
    const recentWaId = waMessageIdFor(recent.id);
    // The host dies: its socket and its memory (rc14's 5-minute store included) are gone.
    me.session.detach();
    const closed = nextEvent(me.socket, 'connection.update', (u) => u.connection === 'close');
    me.socket.end(undefined);
    await closed;
    world.sim.sendRetryReceipt(ALICE, { to: ME, messageId: staleWaId, count: 1 });
    // From the phone number: the jid rc14's own store is keyed by, so only the durable copy can answer here.
    world.sim.sendRetryReceipt(ALICE, { to: ME, messageId: recentWaId, count: 1, addressing: 'pn' });

    const resent = nextSimEvent<[ResendEvent]>(world.sim.events, 'retry-resend', (r) => r.id === recentWaId);
    const repeat = nextSimEvent(
      world.sim.events,
      'message-duplicate',
      (d: { id: string }) => d.id === recentWaId,
    );
    const staleAcked = retryReceiptAcks(world.sim, staleWaId);
    const other = new HostMessaging({
      messages: world.repos.messages,
      chats: world.repos.chats,
      lidMappings: world.repos.lidMappings,
      events: world.bus,
      media: world.media,
      config: world.config,
      log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    });
    const socket = connect(world.sim, me.auth, {
      getMessage: (key) => other.getMessage(me.sessionId, key),
      msgRetryCounterCache: createRetryCounterCache(),
    });
    laterSockets.push(socket);
    await opened(socket);
    other.attach({
      tenantId: me.tenantId,
      sessionId: me.sessionId,
      socket,
      flushCredentials: async () => {},
    });

    expect((await resent)[0].retryCount).toBe(1);
    await repeat;
    await staleAcked;
    expect(resends.map((r) => r.id)).not.toContain(staleWaId);
    await other.close();
  });
});
