/**
 * The contact routes of issue #15 over the simulator's control API, with bare Baileys as the account: what a
 * contact's location, card, poll, vote, edit and revoke look like on the wire (as Baileys decrypts them), and
 * how the routes refuse bad input.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptPollVote, jidNormalizedUser, proto } from '@whiskeysockets/baileys';
import type { WAMessage, WASocket } from '@whiskeysockets/baileys';
import { provisionLinkedDevice, trustSimulator, WhatsAppSimulator } from '../../simulator/index.js';
import { connect, endAll, eventually, memoryAuth, nextEvent, opened } from './helpers.js';

const ME = '15553350001';
const ERIN = '15553350002';

const post = async (
  url: string,
  body: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
};

describe('contacts send locations, cards, polls, votes, edits and revokes (control API)', () => {
  const sim = new WhatsAppSimulator();
  let untrust: () => void;
  let sock: WASocket;
  const route = (path: string) => `${sim.controlUrl}/contacts/${ERIN}/${path}`;

  /** The next message from Erin, as Baileys decrypted it. */
  const fromErin = async (has: (m: WAMessage) => boolean): Promise<WAMessage> => {
    const mine = (m: WAMessage) => !m.key.fromMe && has(m);
    const upsert = await nextEvent(sock, 'messages.upsert', (u) => u.messages.some(mine));
    return upsert.messages.find(mine)!;
  };

  beforeAll(async () => {
    await sim.start({ port: 0 });
    untrust = trustSimulator(sim.rootPublicKey);
    sim.addContact(ERIN, 'Erin');
    sock = connect(sim, memoryAuth(await provisionLinkedDevice(sim, ME)));
    await opened(sock);
  });

  afterAll(async () => {
    endAll([sock]);
    await sim.stop();
    untrust();
  });

  it('a location, a contact card and a poll arrive as the WAProto messages a phone sends', async () => {
    const location = fromErin((m) => !!m.message?.locationMessage);
    const sent = await post(route('send-location'), {
      to: ME,
      latitude: 48.8584,
      longitude: 2.2945,
      name: 'Tower',
    });
    expect(sent.status).toBe(201);
    expect((await location).message?.locationMessage).toMatchObject({
      degreesLatitude: 48.8584,
      degreesLongitude: 2.2945,
      name: 'Tower',
    });

    const card = fromErin((m) => !!m.message?.contactMessage);
    expect(
      (await post(route('send-contact'), { to: ME, name: 'Bob; Jr', phones: ['+15553350009'] })).status,
    ).toBe(201);
    const vcard = (await card).message?.contactMessage?.vcard ?? '';
    expect(vcard).toContain('FN:Bob\\; Jr');
    expect(vcard).toContain('waid=15553350009:+15553350009');

    const poll = fromErin((m) => !!m.message?.pollCreationMessage);
    expect(
      (
        await post(route('send-poll'), {
          to: ME,
          name: 'Colour?',
          options: ['Red', 'Blue'],
          selectableCount: 2,
        })
      ).status,
    ).toBe(201);
    const received = (await poll).message!;
    expect(received.pollCreationMessage?.options?.map((o) => o.optionName)).toEqual(['Red', 'Blue']);
    expect(received.messageContextInfo?.messageSecret).toHaveLength(32);
  });

  it("a vote on the account's poll decrypts with Baileys' decryptPollVote to the chosen options", async () => {
    const sentPoll = await sock.sendMessage(`${ERIN}@s.whatsapp.net`, {
      poll: { name: 'When?', values: ['Now', 'Later'], selectableCount: 1 },
    });
    const pollId = sentPoll!.key.id!;
    await eventually(
      () => (sim.inbox(ERIN).some((e) => e.id === pollId && e.type === 'poll') ? true : undefined),
      10_000,
      'the poll at Erin',
    );
    const vote = fromErin((m) => !!m.message?.pollUpdateMessage);
    expect((await post(route('vote'), { to: ME, pollId, options: ['Later'] })).status).toBe(201);
    const update = (await vote).message!.pollUpdateMessage!;
    expect(update.pollCreationMessageKey?.id).toBe(pollId);
    const decrypted = decryptPollVote(update.vote!, {
      pollCreatorJid: jidNormalizedUser(sock.user!.id),
      pollMsgId: pollId,
      pollEncKey: sentPoll!.message!.messageContextInfo!.messageSecret!,
      voterJid: `${ERIN}@s.whatsapp.net`,
    });
    expect(decrypted.selectedOptions?.map((h) => Buffer.from(h).toString('hex'))).toEqual([
      createHash('sha256').update('Later').digest('hex'),
    ]);

    expect((await post(route('vote'), { to: ME, pollId, options: ['Never'] })).status).toBe(400);
    expect((await post(route('vote'), { to: ME, pollId: 'NOPE', options: [] })).status).toBe(404);
  });

  it('edits and revokes name the message from the contact’s side; the outbox shows them; bad input is refused', async () => {
    const text = await post(`${sim.controlUrl}/contacts/${ERIN}/send`, { to: ME, text: 'helo' });
    const id = String(text.json.id);
    const edit = fromErin(
      (m) => m.message?.protocolMessage?.type === proto.Message.ProtocolMessage.Type.MESSAGE_EDIT,
    );
    expect((await post(route('edit'), { to: ME, messageId: id, text: 'hello' })).status).toBe(201);
    const protocol = (await edit).message!.protocolMessage!;
    expect(protocol.key).toMatchObject({ id, fromMe: true });
    expect(protocol.editedMessage?.conversation).toBe('hello');

    const revoke = fromErin(
      (m) => m.message?.protocolMessage?.type === proto.Message.ProtocolMessage.Type.REVOKE,
    );
    expect((await post(route('revoke'), { to: ME, messageId: id })).status).toBe(201);
    expect((await revoke).message!.protocolMessage!.key?.id).toBe(id);
    expect(sim.outbox(ERIN).find((e) => e.id === id)).toMatchObject({ edited: true, revoked: true });

    expect((await post(route('edit'), { to: ME, messageId: id, text: 'again' })).status).toBe(409);
    expect((await post(route('revoke'), { to: ME, messageId: 'unknown' })).status).toBe(404);
    expect((await post(route('send-poll'), { to: ME, name: 'Q', options: ['only one'] })).status).toBe(400);
    expect((await post(route('send-location'), { to: ME, latitude: 91, longitude: 0 })).status).toBe(400);
  });
});
