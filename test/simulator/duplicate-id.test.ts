import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BufferJSON } from '@whiskeysockets/baileys';
import type { AuthenticationCreds, WASocket } from '@whiskeysockets/baileys';
import {
  memoryAuthState,
  provisionLinkedDevice,
  trustSimulator,
  WhatsAppSimulator,
} from '../../simulator/index.js';
import { connect, endAll, nextSimEvent, opened } from './helpers.js';

const ME = '15553340001';
const BOB = '15553340002';
const BOB_JID = `${BOB}@s.whatsapp.net`;

/** Auth state over a map we can copy, to restore "what was durable" as a host that was killed would. */
const snapshotableAuth = (creds: AuthenticationCreds, data = new Map<string, unknown>()) => {
  const state = memoryAuthState(creds, data);
  // Serialised the way useMultiFileAuthState stores state (Buffers survive as Buffers).
  const copy = <T>(value: T): T =>
    JSON.parse(JSON.stringify(value, BufferJSON.replacer), BufferJSON.reviver) as T;
  const snapshot = () => snapshotableAuth(copy(state.creds), new Map(copy([...data.entries()])));
  return { state, snapshot };
};

describe('a message id the contact already has is not delivered twice', () => {
  const sim = new WhatsAppSimulator();
  const sockets: WASocket[] = [];
  let untrust: () => void;

  beforeAll(async () => {
    await sim.start({ port: 0 });
    untrust = trustSimulator(sim.rootPublicKey);
    sim.addContact(BOB, 'Bob');
  });

  afterAll(async () => {
    endAll(sockets);
    await sim.stop();
    untrust();
  });

  it('the same socket sending one id twice: one inbox entry, one duplicate event', async () => {
    const auth = snapshotableAuth(await provisionLinkedDevice(sim, ME));
    const sock = connect(sim, auth.state);
    sockets.push(sock);
    await opened(sock);

    const first = nextSimEvent(sim.events, 'message');
    await sock.sendMessage(BOB_JID, { text: 'once' }, { messageId: '3EB0AAAAAAAAAAAAAAAAAA' });
    await first;
    const dup = nextSimEvent<[{ contact: string; id: string; from: string }]>(
      sim.events,
      'message-duplicate',
    );
    await sock.sendMessage(BOB_JID, { text: 'once' }, { messageId: '3EB0AAAAAAAAAAAAAAAAAA' });
    expect((await dup)[0]).toEqual({ contact: BOB, id: '3EB0AAAAAAAAAAAAAAAAAA', from: ME });

    const next = nextSimEvent(sim.events, 'message');
    await sock.sendMessage(BOB_JID, { text: 'another id' }, { messageId: '3EB0BBBBBBBBBBBBBBBBBB' });
    await next;
    expect(sim.inbox(BOB).map((e) => [e.id, e.text])).toEqual([
      ['3EB0AAAAAAAAAAAAAAAAAA', 'once'],
      ['3EB0BBBBBBBBBBBBBBBBBB', 'another id'],
    ]);
    sock.end(undefined);
  });

  it('a resend from key state restored to before the first send (a killed host) is decrypted and dropped', async () => {
    const inboxBefore = sim.inbox(BOB).length;
    const auth = snapshotableAuth(await provisionLinkedDevice(sim, '15553340003'));
    const a = connect(sim, auth.state);
    sockets.push(a);
    await opened(a);
    // Open the Signal session first, so the snapshot holds a session the crashed send then advanced.
    const warm = nextSimEvent(sim.events, 'message');
    await a.sendMessage(BOB_JID, { text: 'warm-up' }, { messageId: '3EB0CCCCCCCCCCCCCCCCCC' });
    await warm;
    const durable = auth.snapshot();
    const delivered = nextSimEvent(sim.events, 'message');
    await a.sendMessage(BOB_JID, { text: 'in flight' }, { messageId: '3EB0DDDDDDDDDDDDDDDDDD' });
    await delivered;
    a.end(undefined);

    const b = connect(sim, durable.state);
    sockets.push(b);
    await opened(b);
    const dup = nextSimEvent<[{ id: string }]>(sim.events, 'message-duplicate');
    await b.sendMessage(BOB_JID, { text: 'in flight' }, { messageId: '3EB0DDDDDDDDDDDDDDDDDD' });
    expect((await dup)[0].id).toBe('3EB0DDDDDDDDDDDDDDDDDD');
    const after = nextSimEvent(sim.events, 'message');
    await b.sendMessage(BOB_JID, { text: 'after takeover' }, { messageId: '3EB0EEEEEEEEEEEEEEEEEE' });
    await after;
    expect(
      sim
        .inbox(BOB)
        .slice(inboxBefore)
        .map((e) => e.text),
    ).toEqual(['warm-up', 'in flight', 'after takeover']);
    b.end(undefined);
  });
});
