/**
 * DynamoDB calls per send on the host (issue #14, docs/credentials-and-commands.md "Credential items"): a counting
 * middleware on the host's own DynamoDB client records every call while a linked session sends; each send
 * makes its key changes and its `sending -> sent` move (with the sent proto and the status event) durable in ONE
 * fenced `TransactWriteItems`, with no separate credentials write and no S3 object, and the chat update and the
 * batched outbox removal behind it. That holds even when the
 * credentials debounce comes due in the middle of a send (the host holds it until the send's transaction).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BufferJSON, proto } from '@whiskeysockets/baileys';
import { seedLinkedSession } from '../../../bench/support/seed-session.js';
import { newId, nowIso } from '../../../shared/domain/ids.js';
import type { Message } from '../../../shared/domain/message.js';
import { HostDoorbell } from '../../../shared/services/host-doorbell.js';
import { provisionLinkedDevice } from '../../../simulator/provision.js';
import type { StanzaEvent } from '../../../simulator/events.js';
import { DynamoCallLog } from '../../support/dynamo-call-log.js';
import { ManualTimer } from '../../support/manual-timer.js';
import { queueMessage } from './messaging/support.js';
import { freshPhone, sessionNow, startHostWorld, until, type HostWorld } from './support.js';

const SENDS = 4;

describe('DynamoDB calls per send on the host', () => {
  let world: HostWorld;
  const s3Calls: { operation: string; at: number }[] = [];
  let log: DynamoCallLog;
  // The credentials debounce never comes due by itself: each case decides when it does.
  const debounce = new ManualTimer();
  let send: (text: string) => Promise<Message>;
  let delivered: () => number;
  let sessionId: string;
  let accountPhone: string;

  beforeAll(async () => {
    world = await startHostWorld();
    const { prefix } = world.cloud.stack;
    log = new DynamoCallLog(prefix);
    const tenantId = newId();
    accountPhone = freshPhone().slice(1);
    const linked = await provisionLinkedDevice(world.sim, accountPhone);
    sessionId = await seedLinkedSession(
      world.adapters,
      prefix,
      JSON.stringify(linked, BufferJSON.replacer),
      tenantId,
    );
    await world.startHost(
      { APP_SEND_MIN_GAP_MS: '0', APP_SEND_JITTER_MS: '0' },
      {
        credentialsTimer: debounce,
        decorateAdapters: (adapters) => {
          log.attach(adapters.clients.dynamo);
          adapters.clients.s3.middlewareStack.add(
            (next, context) => async (args) => {
              s3Calls.push({ operation: String(context.commandName), at: Date.now() });
              return next(args);
            },
            { step: 'initialize', name: 'testS3CallLog' },
          );
          return adapters;
        },
      },
    );
    await until(
      () => sessionNow(world.adapters, sessionId),
      (s) => s.status === 'connected',
      'the session connected',
    );
    const contact = freshPhone();
    world.sim.addContact(contact, 'Counted Receiver');
    delivered = () => world.sim.inbox(contact).length;
    const doorbell = new HostDoorbell(world.adapters.commandQueue, { warn: () => undefined });
    send = async (text: string): Promise<Message> => {
      const message = await queueMessage(world.adapters, { tenantId, sessionId }, contact, {
        type: 'text',
        text: { body: text },
      });
      const session = await sessionNow(world.adapters, sessionId);
      await doorbell.ring(session, {
        type: 'message.send',
        tenantId,
        sessionId,
        messageId: message.id,
        sentAt: nowIso(),
      });
      await until(
        () => world.adapters.messages.get(sessionId, message.id),
        (m) => m?.status === 'sent',
        `${text} sent`,
      );
      return message;
    };
    // The first send to a contact fetches its prekeys and opens a Signal session: not the steady state.
    await send('warm-up');
    await until(delivered, (n) => n === 1, 'the warm-up delivered');
  }, 120_000);
  afterAll(async () => {
    await world?.stop();
  });

  /** Sends SENDS messages and returns the DynamoDB calls of that window once every write behind them is done. */
  async function countedSends(label: string) {
    // Every status event put in the outbox is deleted once on the bus: wait for that, so the window holds only
    // the counted sends' calls.
    // A send's status event is put in its transaction (`Put eventOutbox`); other events by a PutItem of their own.
    const outboxPuts = () =>
      log.calls.reduce(
        (n, c) =>
          n +
          (c.operation === 'PutItem' && c.parts.includes('eventOutbox') ? 1 : 0) +
          (c.operation === 'TransactWriteItems' ? c.parts.filter((p) => p === 'Put eventOutbox').length : 0),
        0,
      );
    // Removals go out in BatchWriteItems (EventOutbox batches them); count the removed events, not the calls.
    const outboxDeletes = () =>
      log.calls.reduce(
        (n, c) =>
          n +
          (c.operation === 'DeleteItem' && c.parts.includes('eventOutbox') ? 1 : 0) +
          (c.operation === 'BatchWriteItem' && c.parts.includes('eventOutbox') ? batchRequests(c) : 0),
        0,
      );
    const outboxSettled = () =>
      until(
        async () => outboxDeletes() - outboxPuts(),
        (d) => d >= 0,
        'the outbox emptied',
      );
    await outboxSettled();
    const before = delivered();
    const since = Date.now();
    const sent: Message[] = [];
    for (let i = 0; i < SENDS; i++) sent.push(await send(`${label} ${i}`));
    await until(delivered, (n) => n === before + SENDS, 'every send delivered');
    // The batched chat and status writes follow the sends: wait until the chat shows the last one.
    await until(
      () => world.adapters.chats.listByActivity(sessionId).then((p) => p.items[0]?.lastMessage?.id),
      (id) => id === sent.at(-1)!.id,
      'the chat updated',
    );
    await outboxSettled();
    const calls = log.touching(['messages', 'credentials', 'chats', 'eventOutbox'], since);
    console.log(`DynamoDB calls of ${SENDS} sends (${label}):\n${calls.map(describeCall).join('\n')}`);
    return { sent, calls, since };
  }

  /** Each send's move to `sent` rides in exactly one transaction: the lease fence first, its keys, the move. */
  function expectOneTransactionPerSend(
    sent: readonly Message[],
    calls: ReturnType<DynamoCallLog['touching']>,
  ) {
    const transactions = calls.filter((c) => c.operation === 'TransactWriteItems');
    for (const message of sent) {
      const carrying = transactions.filter((c) => JSON.stringify(c.input).includes(message.id));
      expect(carrying, message.id).toHaveLength(1);
      const parts = carrying[0]!.parts;
      expect(parts[0]).toBe('ConditionCheck sessions');
      expect(parts).toContain('Update messages');
      expect(parts.filter((p) => p === 'Put credentials').length).toBeGreaterThan(0);
      // Its `message.status` is stored with the move: a host killed after the transaction cannot lose it.
      expect(parts.filter((p) => p === 'Put eventOutbox')).toHaveLength(1);
    }
    // No other credentials write: a key change of a send written on its own would be one more.
    expect(calls.filter((c) => c.parts.some((p) => p.endsWith(' credentials')))).toHaveLength(SENDS);
    expect(transactions).toHaveLength(SENDS);
  }

  it('each send: one TransactWriteItems with the fence, the keys and the sent move; no other credentials write', async () => {
    const { sent, calls, since } = await countedSends('counted');
    expectOneTransactionPerSend(sent, calls);
    // Nothing on S3 (the whole-object PUT of before #14 is gone).
    expect(s3Calls.filter((c) => c.at >= since)).toEqual([]);
    // No status event written on its own: it rode in the transaction.
    expect(calls.filter((c) => c.operation === 'PutItem' && c.parts.includes('eventOutbox'))).toEqual([]);
    // The whole send, as measured today (docs/benchmarks.md): `queued -> sending` (answering the message, no read
    // before it), the transaction (keys, the move carrying the sent proto for retry receipts, the status event),
    // the chat's update, and the event's outbox removal once on the bus (batched with other removals).
    expect(calls.filter((c) => c.operation === 'GetItem' && c.parts.includes('messages'))).toEqual([]);
    const kinds = calls.map((c) => `${c.operation} ${c.parts.join(',')}`);
    const count = (kind: string) => kinds.filter((k) => k === kind).length;
    expect(count('UpdateItem messages')).toBe(SENDS);
    expect(count('UpdateItem chats')).toBe(SENDS);
    const removals = calls.filter((c) => c.operation === 'BatchWriteItem');
    expect(removals.length).toBeGreaterThan(0);
    expect(removals.length).toBeLessThanOrEqual(SENDS);
    expect(removals.every((c) => c.parts.join() === 'eventOutbox')).toBe(true);
    expect(removals.reduce((n, c) => n + batchRequests(c), 0)).toBe(SENDS);
    // Nothing else: the sent proto's own UpdateItem and the per-event DeleteItem are gone.
    expect(calls.length).toBe(SENDS * 3 + removals.length);
    // The sent proto rides in each move.
    for (const transaction of calls.filter((c) => c.operation === 'TransactWriteItems'))
      expect(JSON.stringify(transaction.input)).toContain('sentProto = :proto');
    // ... and is there for a retry receipt served by any host: the proto of what was sent, found by WhatsApp id.
    for (const [i, message] of sent.entries()) {
      const stored = await world.adapters.messages.get(sessionId, message.id);
      const kept = await world.adapters.messages.findSentProto(sessionId, stored!.waMessageId!);
      expect(kept?.messageId).toBe(message.id);
      const decoded = proto.Message.decode(kept!.proto);
      expect(decoded.conversation ?? decoded.extendedTextMessage?.text).toBe(`counted ${i}`);
    }
  }, 120_000);

  it('a debounce coming due while a send waits for its ack does not split the send into two transactions', async () => {
    // The moment WhatsApp receives the message stanza, Baileys has already stored the send's new keys (pending)
    // and the host is waiting for the server's ack: exactly when a 1 s debounce fires on a loaded machine.
    const firedMidSend: number[] = [];
    const onStanza = (event: StanzaEvent): void => {
      if (event.direction !== 'in' || event.node.tag !== 'message' || event.phone !== accountPhone) return;
      firedMidSend.push(debounce.fireAll());
    };
    world.sim.events.on('stanza', onStanza);
    try {
      const { sent, calls } = await countedSends('raced');
      // The race happened on every send: a debounce was armed by the send's keys and fired before the ack.
      expect(firedMidSend).toEqual(sent.map(() => 1));
      expectOneTransactionPerSend(sent, calls);
    } finally {
      world.sim.events.off('stanza', onStanza);
    }
  }, 120_000);
});

function describeCall(call: { operation: string; parts: readonly string[] }): string {
  return `${call.operation} [${call.parts.join(', ')}]`;
}

/** The requests of a BatchWriteItem call (all tables). */
function batchRequests(call: { input: Record<string, unknown> }): number {
  const items = call.input['RequestItems'] as Record<string, unknown[]> | undefined;
  return Object.values(items ?? {}).reduce((n, requests) => n + requests.length, 0);
}
