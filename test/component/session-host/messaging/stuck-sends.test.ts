/**
 * Messages the chaos test found stuck on a host that kept its session (docs/session-host.md, "Chaos test"):
 *
 * - a doorbell that never came (the API's SQS send failed): the periodic sweep of `queued` messages sends it;
 * - a message left `sending` on an attached session (an attempt stopped when its socket closed, the drain after
 *   the reconnect did not find it): the sweep takes up `sending` messages no send has in hand;
 * - a backlog listing that failed on attach (DynamoDB refused the call): the sweep lists it all again, the
 *   `sending` message a dead host left included;
 * - a send whose durable record failed after WhatsApp took it (a throttled credentials write): it is written
 *   again while the session stays attached, instead of leaving the message `sending`.
 *
 * Real HostMessaging, DynamoDB Local, the simulator with real Baileys; only the failing call is injected.
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../../../../shared/domain/message.js';
import { nowIso } from '../../../../shared/domain/ids.js';
import { HostMessaging, waMessageIdFor } from '../../../../session-host/messaging/index.js';
import type { MessageRepository } from '../../../../shared/ports/message-repository.js';
import type { TransactionPart, TransactionPartOutcome } from '../../../../shared/ports/transaction-part.js';
import {
  queueMessage,
  startMessagingWorld,
  TEST_MESSAGING_CONFIG,
  until,
  type LinkedAccount,
  type MessagingWorld,
} from './support.js';

const ME = '15554480001';
const ALICE = '+15554480002';
const SWEEP_MS = 200;

describe('stuck sends on a host that keeps its session', () => {
  let world: MessagingWorld;
  let me: LinkedAccount;
  const others: HostMessaging[] = [];

  beforeAll(async () => {
    world = await startMessagingWorld({ ...TEST_MESSAGING_CONFIG, queuedSweepMs: SWEEP_MS });
    world.sim.addContact(ALICE, 'Alice');
    me = await world.link(ME);
    await me.session.drain();
  }, 60_000);

  afterAll(async () => {
    for (const m of others) await m.close();
    await world?.stop();
  });

  const delivered = (message: Message) =>
    world.sim.inbox(ALICE).filter((e) => e.id === waMessageIdFor(message.id)).length;
  const sentNow = async (message: Message) => {
    const stored = await world.repos.messages.get(me.sessionId, message.id);
    return stored?.status === 'sent' ? stored : undefined;
  };

  /** A HostMessaging of its own over the world's tables, attached to `me`'s socket with the given parts. */
  function attachWith(parts: {
    messages?: MessageRepository;
    flushCredentials?: () => Promise<void>;
    commitWithCredentials?: (part: TransactionPart) => Promise<TransactionPartOutcome>;
  }) {
    const quiet = () => undefined;
    const messaging = new HostMessaging({
      messages: parts.messages ?? world.repos.messages,
      chats: world.repos.chats,
      lidMappings: world.repos.lidMappings,
      events: world.bus,
      media: world.media,
      config: { ...TEST_MESSAGING_CONFIG, queuedSweepMs: SWEEP_MS },
      log: { debug: quiet, info: quiet, warn: quiet, error: quiet },
    });
    others.push(messaging);
    me.session.detach();
    const session = messaging.attach({
      tenantId: me.tenantId,
      sessionId: me.sessionId,
      socket: me.socket,
      flushCredentials: parts.flushCredentials ?? (async () => undefined),
      ...(parts.commitWithCredentials ? { commitWithCredentials: parts.commitWithCredentials } : {}),
    });
    return session;
  }

  it('a message queued without a doorbell is sent by the sweep', async () => {
    const lost = await queueMessage(world.repos, me, ALICE, { type: 'text', text: { body: 'no doorbell' } });
    // Nobody rings: as when the API's SendMessage to the host's queue failed after the message was stored.
    const sent = await until(() => sentNow(lost), 'the unrung message sent');
    expect(sent.statusHistory.map((h) => h.status)).toEqual(['queued', 'sending', 'sent']);
    await until(async () => (delivered(lost) === 1 ? true : undefined), 'the unrung message delivered');
  });

  it('a message left `sending` after the drain ran (its attempt stopped with a socket) is sent by the sweep', async () => {
    // The drain of this attachment ran in beforeAll; the message is moved to `sending` afterwards, as an attempt
    // stopped by a socket that closed under it leaves it, with nobody to ring or drain again.
    const left = await queueMessage(world.repos, me, ALICE, {
      type: 'text',
      text: { body: 'stopped mid-send' },
    });
    await world.repos.messages.advanceStatus(me.sessionId, left.id, 'sending', {
      at: nowIso(),
      waMessageId: waMessageIdFor(left.id),
    });
    const sent = await until(() => sentNow(left), 'the stopped send finished');
    expect(sent.waMessageId).toBe(waMessageIdFor(left.id));
    await until(async () => (delivered(left) === 1 ? true : undefined), 'the stopped send delivered');
  });

  it('a backlog listing that failed on attach is listed again by the sweep, a `sending` one included', async () => {
    // A dead host's unfinished send: `sending` under its WhatsApp id, in the index of unfinished sends.
    const left = await queueMessage(world.repos, me, ALICE, { type: 'text', text: { body: 'left sending' } });
    await world.repos.messages.advanceStatus(me.sessionId, left.id, 'sending', {
      at: nowIso(),
      waMessageId: waMessageIdFor(left.id),
    });
    let failures = 1;
    const flaky = new Proxy(world.repos.messages, {
      get(target, name, receiver) {
        const value: unknown = Reflect.get(target, name, receiver);
        if (name !== 'listSending' || typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (failures-- > 0) return Promise.reject(new Error('ThrottlingException: injected'));
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const session = attachWith({ messages: flaky });
    await expect(session.drain()).rejects.toThrow('injected');
    await until(() => sentNow(left), 'the left-over send finished');
    await until(async () => (delivered(left) === 1 ? true : undefined), 'the left-over send delivered');
    session.detach();
  });

  it('a send whose credentials write failed after WhatsApp took it is made durable, not left `sending`', async () => {
    let failures = 1;
    let flushes = 0;
    const session = attachWith({
      flushCredentials: async () => {
        flushes++;
        if (failures-- > 0) throw new Error('InternalServerError: injected');
      },
    });
    await session.drain();
    const message = await queueMessage(world.repos, me, ALICE, {
      type: 'text',
      text: { body: 'commit again' },
    });
    session.ring(message.id);
    const sent = await until(() => sentNow(message), 'the send recorded sent');
    expect(flushes).toBe(2);
    expect(sent.statusHistory.map((h) => h.status)).toEqual(['queued', 'sending', 'sent']);
    // Sent once: the durable record was retried, not the send.
    expect(delivered(message)).toBe(1);
    session.detach();
  });

  it('a send transaction that landed with its answer lost still publishes `sent` when the retry finds it moved', async () => {
    const commits: boolean[] = [];
    const session = attachWith({
      // The real move, as the credentials store's transaction carries it; the first answer is lost after the write.
      commitWithCredentials: async (part) => {
        try {
          await world.aws.clients.dynamo.send(new TransactWriteCommand({ TransactItems: [part.item] }));
        } catch (error) {
          if ((error as Error).name !== 'TransactionCanceledException') throw error;
          commits.push(false);
          return { applied: false }; // the move's own condition: the message is no longer `sending`
        }
        commits.push(true);
        if (commits.length === 1) throw new Error('socket hang up: injected after the write');
        return { applied: true };
      },
    });
    await session.drain();
    const message = await queueMessage(world.repos, me, ALICE, {
      type: 'text',
      text: { body: 'answer lost' },
    });
    session.ring(message.id);
    await until(() => sentNow(message), 'the send recorded sent');
    await session.idle();
    expect(commits).toEqual([true, false]);
    const statuses = world.bus
      .ofType('message.status')
      .filter((e) => e.data.messageId === message.id)
      .map((e) => e.data.status);
    expect(statuses).toEqual(['sent']);
    session.detach();
  });
});
