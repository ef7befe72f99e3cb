/**
 * Graceful handover between two in-process hosts on the local cloud and the simulator: the stopping host
 * releases its session and rings the other host, which claims it at once (its own claim rounds are a minute
 * apart, so nothing else could move it in time) and connects it without a QR; messages sent through the
 * owner's doorbell while the handover runs each reach the contact exactly once, in order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nowIso } from '../../../shared/domain/ids.js';
import type { Message } from '../../../shared/domain/message.js';
import { HostDoorbell } from '../../../shared/services/host-doorbell.js';
import { waMessageIdFor } from '../../../session-host/messaging/index.js';
import {
  createSession,
  freshPhone,
  linkByQr,
  sessionNow,
  sleep,
  startHostWorld,
  until,
  type HostWorld,
} from './support.js';
import { queueMessage } from './messaging/support.js';

const MESSAGES = 6;

describe('graceful handover', () => {
  let world: HostWorld;

  beforeAll(async () => {
    world = await startHostWorld();
  }, 60_000);
  afterAll(async () => {
    await world?.stop();
  }, 60_000);

  it('moves the session to the other host at once; messages sent meanwhile arrive once', async () => {
    // Sends unpaced, so the figures are the handover's, not the anti-ban pacing's.
    const env = { ...world.hostEnv, APP_SEND_MIN_GAP_MS: '0', APP_SEND_JITTER_MS: '0' };
    const leaving = await world.startHost({}, { env });
    const session = await createSession(world.adapters);
    await linkByQr(world, session, freshPhone());
    expect((await sessionNow(world.adapters, session.id)).owner).toBe(leaving.hostId);
    // The heir claims only on a doorbell: its rounds are a minute apart.
    const heir = await world.startHost({ APP_CLAIM_INTERVAL_MS: '60000', APP_CLAIM_JITTER_MS: '0' }, { env });

    const contact = freshPhone();
    world.sim.addContact(contact, 'Handover Receiver');
    const received: string[] = [];
    const duplicates: string[] = [];
    const qrRefs: unknown[] = [];
    world.sim.events.on('message', ({ contact: to, entry }) => {
      if (`+${to.replace(/^\+/, '')}` === contact) received.push(entry.id);
    });
    world.sim.events.on('message-duplicate', ({ id }) => duplicates.push(id));
    world.sim.events.on('qr-refs', (e) => qrRefs.push(e));

    // As the API sends: the message written `queued`, then the owner it read rung.
    const doorbell = new HostDoorbell(world.adapters.commandQueue, { warn: () => undefined });
    const sendOne = async (i: number): Promise<Message> => {
      const owner = world.adapters.sessions.getById(session.id);
      const message = await queueMessage(
        world.adapters,
        { tenantId: session.tenantId, sessionId: session.id },
        contact,
        {
          type: 'text',
          text: { body: `handover ${i}` },
        },
      );
      const read = await owner;
      if (read) {
        await doorbell.ring(read, {
          type: 'message.send',
          tenantId: session.tenantId,
          sessionId: session.id,
          messageId: message.id,
          sentAt: nowIso(),
        });
      }
      return message;
    };

    const sent: Message[] = [await sendOne(0)];
    let stopped = false;
    const stopping = leaving.stop().then(() => (stopped = true));
    for (let i = 1; i < MESSAGES; i++) {
      await sleep(150);
      sent.push(await sendOne(i));
    }
    await stopping;
    expect(stopped).toBe(true);
    expect(leaving.sessions().size).toBe(0);

    const moved = await until(
      () => sessionNow(world.adapters, session.id),
      (s) => s.owner === heir.hostId && s.status === 'connected',
      'the session connected on the heir',
      20_000,
    );
    expect(moved.desired).toBe('running');
    expect(heir.sessions().get(session.id)).toBe('connected');
    expect(qrRefs).toHaveLength(0);

    await until(
      () => Promise.all(sent.map(async (m) => (await world.adapters.messages.get(session.id, m.id))?.status)),
      (all) => all.every((s) => s === 'sent' || s === 'delivered' || s === 'read'),
      'every message sent',
      30_000,
    );
    const inbox = world.sim.inbox(contact);
    for (const m of sent) expect(inbox.filter((e) => e.id === waMessageIdFor(m.id))).toHaveLength(1);
    expect(inbox.map((e) => e.text)).toEqual(sent.map((_, i) => `handover ${i}`));
    expect(received).toHaveLength(MESSAGES);
    // A resend under the same WhatsApp id (a send cut by the socket's close) is dropped by the phone.
    expect(duplicates.every((id) => sent.some((m) => waMessageIdFor(m.id) === id))).toBe(true);
  }, 120_000);
});
