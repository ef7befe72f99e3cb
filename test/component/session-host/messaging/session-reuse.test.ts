import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StanzaEvent } from '../../../../simulator/events.js';
import { childrenOf } from '../../../../simulator/wire/nodes.js';
import {
  queueMessage,
  startMessagingWorld,
  until,
  type LinkedAccount,
  type MessagingWorld,
} from './support.js';

/** libsignal's wire format of a `pkmsg` (after its version byte): the base key names the session it starts. */
const { PreKeyWhisperMessage } = createRequire(import.meta.url)('libsignal/src/protobufs.js') as {
  PreKeyWhisperMessage: { decode(bytes: Uint8Array): { baseKey: Uint8Array } };
};

const ME = '15554470001';
/** Migrated to LID addressing: the host sends to her LID jid. */
const FAY = '+15554470002';
/** Addressed by phone number, LID disclosed: the host learns it by usync and sends to it as well. */
const GUS = '+15554470003';

/** One copy of a message the companion sent: to whom, and the session it is on. */
interface Copy {
  readonly to: string;
  readonly type: string;
  /** The session a `pkmsg` starts (base64 base key); undefined for a `msg`. */
  readonly session?: string;
}

/** What one send put on the wire, as the simulator saw it. */
interface Wire {
  /** Each copy (its contact's and its own phone's). */
  readonly copies: Copy[];
  /** Users whose prekey bundles it fetched (`<iq xmlns=encrypt type=get><key><user jid>`). */
  readonly prekeyFetches: string[];
  /** Users it asked usync about for a message. */
  readonly usyncUsers: string[];
}

const copyOf = (to: string, enc: StanzaEvent['node']): Copy => {
  const type = enc.attrs.type ?? '';
  const bytes = enc.content instanceof Uint8Array ? enc.content : undefined;
  if (type !== 'pkmsg' || !bytes) return { to, type };
  return {
    to,
    type,
    session: Buffer.from(PreKeyWhisperMessage.decode(bytes.subarray(1)).baseKey).toString('base64'),
  };
};

const usersOf = (n: StanzaEvent['node'], under: string): string[] =>
  childrenOf(childrenOf(n).find((c) => c.tag === under))
    .filter((u) => u.tag === 'user')
    .map((u) => u.attrs.jid ?? '');

/**
 * Issue #14: once a send has built a Signal session with a recipient, the next sends reuse it: no usync, no
 * prekey fetch, no new session (until the contact answers libsignal keeps sending `pkmsg`, but on that same
 * session, i.e. with the same base key; after an answer, `msg`). The host addresses a contact whose LID it can learn
 * by that LID; the simulator used to answer a usync for a LID under the phone number, so Baileys' device cache
 * never hit and every send re-keyed both LIDs (the contact's and the account's own phone): "Closing session" twice
 * per message and ~2 msg/s in bench:send. Proven on the wire the simulator saw, with real Baileys.
 */
describe('sending reuses the Signal sessions it built', () => {
  let world: MessagingWorld;
  let me: LinkedAccount;
  let wire: Wire;

  const onStanza = ({ direction, node: n, phone }: StanzaEvent): void => {
    if (direction !== 'in' || phone !== ME) return;
    if (n.tag === 'message') {
      const participants = childrenOf(n).find((c) => c.tag === 'participants');
      const targets = participants
        ? childrenOf(participants).map((to) => ({ to: to.attrs.jid ?? '', enc: childrenOf(to) }))
        : [{ to: n.attrs.to ?? '', enc: childrenOf(n) }];
      for (const { to, enc } of targets)
        for (const e of enc) if (e.tag === 'enc') wire.copies.push(copyOf(to, e));
    } else if (n.tag === 'iq' && n.attrs.xmlns === 'encrypt' && n.attrs.type === 'get') {
      wire.prekeyFetches.push(...usersOf(n, 'key'));
    } else if (n.tag === 'iq' && n.attrs.xmlns === 'usync') {
      const usync = childrenOf(n).find((c) => c.tag === 'usync');
      if (usync?.attrs.context === 'message') wire.usyncUsers.push(...usersOf(usync, 'list'));
    }
  };

  /** Sends one text to `to` through the host and returns what it put on the wire. */
  const sendOne = async (to: string, text: string): Promise<Wire> => {
    wire = { copies: [], prekeyFetches: [], usyncUsers: [] };
    const queued = await queueMessage(world.repos, me, to, { type: 'text', text: { body: text } });
    me.session.ring(queued.id);
    await me.session.idle();
    expect((await world.repos.messages.get(me.sessionId, queued.id))?.status).toBe('sent');
    return wire;
  };

  beforeAll(async () => {
    world = await startMessagingWorld();
    world.sim.addContact(FAY, 'Fay');
    world.sim.setContactAddressing(FAY, 'lid');
    world.sim.addContact(GUS, 'Gus');
    me = await world.link(ME);
    world.sim.events.on('stanza', onStanza);
  }, 60_000);

  afterAll(async () => {
    world?.sim.events.off('stanza', onStanza);
    await world?.stop();
  });

  it.each([
    ['a LID-addressed contact (sent to her LID jid)', FAY],
    ['a phone-number-addressed contact', GUS],
  ])(
    '%s: the first message builds the sessions, the next ones reuse them without fetching prekeys',
    async (_, to) => {
      const first = await sendOne(to, 'first');
      expect(first.copies.length).toBeGreaterThan(0);
      // Built now or (own phone) by an earlier test: either way each recipient has one session from here on.
      const sessionOf = new Map(first.copies.map((c) => [c.to, c.session]));

      for (const text of ['second', 'third']) {
        const next = await sendOne(to, text);
        expect(next.prekeyFetches).toEqual([]);
        // The device lists are cached too: nothing to ask usync again.
        expect(next.usyncUsers).toEqual([]);
        expect(next.copies.map((c) => c.to).sort()).toEqual([...sessionOf.keys()].sort());
        // Until the contact answers, libsignal keeps sending `pkmsg` on a new session, but on the same one: the
        // same base key (a new session would have a new one, and cost the contact a new X3DH).
        for (const copy of next.copies)
          if (copy.type === 'pkmsg') expect(copy.session).toBe(sessionOf.get(copy.to));
      }
      expect(world.sim.inbox(to).map((e) => e.text)).toEqual(['first', 'second', 'third']);
    },
  );

  it('once the contact answers, the next message to her goes as msg', async () => {
    const answer = await world.sim.contactSend(FAY, ME, 'got them');
    await until(
      () => world.repos.messages.findByWaMessageId(me.sessionId, answer.id).then((m) => m ?? undefined),
      'the answer stored',
    );
    await me.session.idle();
    const next = await sendOne(FAY, 'fourth');
    expect(next.prekeyFetches).toEqual([]);
    const lid = world.sim.getContact(FAY)?.lid.split('@')[0] ?? 'none';
    expect(next.copies.filter((c) => c.to.startsWith(`${lid}@`)).map((c) => c.type)).toEqual(['msg']);
  });
});
