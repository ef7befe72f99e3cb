import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WASocket } from '@whiskeysockets/baileys';
import { newId } from '../../../../shared/domain/ids.js';
import type { Message } from '../../../../shared/domain/message.js';
import {
  INBOUND_COMPAT_SOCKET_CONFIG,
  UNDECRYPTABLE_METRIC,
  watchUndecryptable,
} from '../../../../session-host/compat/lid-decrypt.js';
import type { SessionMessaging } from '../../../../session-host/messaging/index.js';
import { memoryAuthState, provisionLinkedDevice } from '../../../../simulator/index.js';
import { connect, delivered, endAll, nextSimEvent, opened } from '../../../simulator/helpers.js';
import { startMessagingWorld, until, type MessagingWorld } from './support.js';

/**
 * Dossier item 3 through the session host's socket config (the patched Baileys with both fixes on) and its
 * message store: what stock rc14 loses (test/simulator/lid-inbound.test.ts) is stored here.
 */
const ME = '15554460001';
const ME_TOO = '15554460002';
const CAROL = '15554460003';
const DAVE = '15554460004';
const ERIN = '15554460005';

describe('the session host receives what rc14 loses after the LID migration', () => {
  let world: MessagingWorld;
  const sockets: WASocket[] = [];
  const attached: SessionMessaging[] = [];
  const metrics = new Map<string, number>();
  const quiet = () => undefined;

  beforeAll(async () => {
    world = await startMessagingWorld();
    for (const [phone, name] of [
      [CAROL, 'Carol'],
      [DAVE, 'Dave'],
      [ERIN, 'Erin'],
    ] as const) {
      world.sim.addContact(phone, name);
      world.sim.setContactLidDisclosed(phone, false);
    }
  });

  afterAll(async () => {
    for (const s of attached) s.detach();
    endAll(sockets);
    await world.stop();
  });

  /**
   * A linked device of `phone` on a socket configured as the host configures it, with the host's messaging and
   * undecryptable-message watch attached; `beforeLogin` runs once the device exists, before its first login.
   */
  const hostSocket = async (phone: string, beforeLogin: () => Promise<void> = async () => undefined) => {
    const auth = memoryAuthState(await provisionLinkedDevice(world.sim, phone));
    await beforeLogin();
    const socket = connect(world.sim, auth, INBOUND_COMPAT_SOCKET_CONFIG);
    sockets.push(socket);
    const sessionId = newId();
    watchUndecryptable(socket, {
      metrics: { count: (name, value = 1) => metrics.set(name, (metrics.get(name) ?? 0) + value) },
      log: { warn: quiet },
    });
    attached.push(
      world.messaging.attach({
        tenantId: newId(),
        sessionId,
        socket,
        flushCredentials: async () => undefined,
      }),
    );
    await opened(socket);
    return { sessionId };
  };

  const storedText = async (sessionId: string, waMessageId: string): Promise<string> => {
    const m: Message = await until(
      async () => (await world.repos.messages.findByWaMessageId(sessionId, waMessageId)) ?? undefined,
      `message ${waMessageId} stored`,
    );
    return m.content.type === 'text' ? m.content.text.body : `(${m.content.type})`;
  };

  it('case A and B: LID msgs on sessions held under the phone number, from the phone and from a companion :N', async () => {
    const { sessionId } = await hostSocket(ME);
    const send = async (contact: string, device: number, text: string): Promise<string> => {
      const sent = await world.sim.contactSendFromDevice(contact, device, ME, text);
      expect(await storedText(sessionId, sent.id)).toBe(text);
      await delivered(world.sim, contact, sent.id);
      return sent.id;
    };
    const companion = world.sim.addContactDevice(DAVE);
    await send(CAROL, 0, 'carol by pn');
    await send(DAVE, 0, 'dave by pn');
    await send(DAVE, companion, 'dave companion by pn');
    world.sim.setContactAddressing(CAROL, 'lid');
    world.sim.setContactAddressing(DAVE, 'lid');
    await send(CAROL, 0, 'carol by lid');
    await send(DAVE, companion, 'dave companion by lid');
    await send(DAVE, 0, 'dave by lid');
    expect(metrics.get(UNDECRYPTABLE_METRIC) ?? 0).toBe(0);
  });

  it('case C: an undecryptable status at the head of the offline queue gets a plain ack; what is behind it arrives', async () => {
    let behind: string[] = [];
    const released = nextSimEvent<[{ phone: string; released: number }]>(
      world.sim.events,
      'offline-released',
    );
    const { sessionId } = await hostSocket(ME_TOO, async () => {
      world.sim.queueUndecryptableStatus(ME_TOO, ERIN);
      behind = [
        (await world.sim.contactSend(ERIN, ME_TOO, 'queued 1')).id,
        (await world.sim.contactSend(ERIN, ME_TOO, 'queued 2')).id,
      ];
    });
    // Behind the stalled head: the two texts, and on a provisioned device's first login maybe the phone's
    // app-state key share too (sent as the device logs in, so it may join the queue before the release).
    const [release] = await released;
    expect(release.phone).toBe(ME_TOO);
    expect(release.released).toBeGreaterThanOrEqual(2);
    expect([await storedText(sessionId, behind[0]!), await storedText(sessionId, behind[1]!)]).toEqual([
      'queued 1',
      'queued 2',
    ]);
  });
});
