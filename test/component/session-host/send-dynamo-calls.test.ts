/**
 * DynamoDB calls per send on the host (issue #14, docs/credentials-and-commands.md "Credential items"): a counting
 * middleware on the host's own DynamoDB client records every call while a linked session sends; each send
 * makes its key changes and its `sending -> sent` move durable in ONE fenced `TransactWriteItems`, with no
 * separate credentials write and no S3 object, and the chat and status writes behind it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BufferJSON } from '@whiskeysockets/baileys';
import { seedLinkedSession } from '../../../bench/support/seed-session.js';
import { newId, nowIso } from '../../../shared/domain/ids.js';
import type { Message } from '../../../shared/domain/message.js';
import { HostDoorbell } from '../../../shared/services/host-doorbell.js';
import { provisionLinkedDevice } from '../../../simulator/provision.js';
import { DynamoCallLog } from '../../support/dynamo-call-log.js';
import { queueMessage } from './messaging/support.js';
import { freshPhone, sessionNow, startHostWorld, until, type HostWorld } from './support.js';

const SENDS = 4;

describe('DynamoDB calls per send on the host', () => {
  let world: HostWorld;

  beforeAll(async () => {
    world = await startHostWorld();
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('each send: one TransactWriteItems with the fence, the keys and the sent move; no other credentials write', async () => {
    const { prefix } = world.cloud.stack;
    const log = new DynamoCallLog(prefix);
    const s3Calls: { operation: string; at: number }[] = [];
    const tenantId = newId();
    const linked = await provisionLinkedDevice(world.sim, freshPhone().slice(1));
    const sessionId = await seedLinkedSession(
      world.adapters,
      prefix,
      JSON.stringify(linked, BufferJSON.replacer),
      tenantId,
    );
    await world.startHost(
      // The debounced background write of keys (1 s in production) kept out of the way: a send whose ack takes
      // longer than the debounce (a loaded machine) has its keys written by that timer before the move, in a
      // transaction of their own. This test is about what the send path itself writes.
      { APP_SEND_MIN_GAP_MS: '0', APP_SEND_JITTER_MS: '0', APP_CREDENTIALS_DEBOUNCE_MS: '10000' },
      {
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
    const doorbell = new HostDoorbell(world.adapters.commandQueue, { warn: () => undefined });
    const send = async (text: string): Promise<Message> => {
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
    await until(
      () => world.sim.inbox(contact).length,
      (n) => n === 1,
      'the warm-up delivered',
    );
    // Every status event put in the outbox is deleted once on the bus: wait for that, so the window holds only
    // the counted sends' calls.
    const outbox = (operation: string) =>
      log.calls.filter((c) => c.operation === operation && c.parts.includes('eventOutbox')).length;
    const outboxSettled = () =>
      until(
        () => outbox('DeleteItem') - outbox('PutItem'),
        (d) => d >= 0,
        'the outbox emptied',
      );
    await outboxSettled();

    const since = Date.now();
    const sent: Message[] = [];
    for (let i = 0; i < SENDS; i++) sent.push(await send(`counted ${i}`));
    await until(
      () => world.sim.inbox(contact).length,
      (n) => n === SENDS + 1,
      'every send delivered',
    );
    // The batched chat and status writes follow the sends: wait until the chat shows the last one.
    await until(
      () => world.adapters.chats.listByActivity(sessionId).then((p) => p.items[0]?.lastMessage?.id),
      (id) => id === sent.at(-1)!.id,
      'the chat updated',
    );
    await outboxSettled();

    const sendCalls = log.touching(['messages', 'credentials', 'chats', 'eventOutbox'], since);
    const shown = sendCalls.map((c) => `${c.operation} [${c.parts.join(', ')}]`);
    console.log(`DynamoDB calls of ${SENDS} sends:\n${shown.join('\n')}`);

    // Each send's move to `sent` rides in exactly one transaction: the lease fence first, the send's keys, the move.
    const transactions = sendCalls.filter((c) => c.operation === 'TransactWriteItems');
    for (const message of sent) {
      const carrying = transactions.filter((c) => JSON.stringify(c.input).includes(message.id));
      expect(carrying, message.id).toHaveLength(1);
      const parts = carrying[0]!.parts;
      expect(parts[0]).toBe('ConditionCheck sessions');
      expect(parts).toContain('Update messages');
      expect(parts.filter((p) => p === 'Put credentials').length).toBeGreaterThan(0);
    }
    // No other credentials write, and nothing on S3 (the whole-object PUT of before #14 is gone).
    expect(sendCalls.filter((c) => c.parts.some((p) => p.endsWith(' credentials')))).toHaveLength(SENDS);
    expect(transactions).toHaveLength(SENDS);
    expect(s3Calls.filter((c) => c.at >= since)).toEqual([]);
    // The whole send, as measured today (docs/benchmarks.md): read, `queued -> sending`, the sent proto kept for
    // retry receipts, the transaction, then the status event's outbox put and delete and the chat's update.
    expect(sendCalls.length).toBeLessThanOrEqual(SENDS * 7);
  }, 120_000);
});
