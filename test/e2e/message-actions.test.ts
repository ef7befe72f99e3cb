/**
 * Edits, revokes and polls through the whole local product (API, session host process with real Baileys, the
 * simulator, signed webhooks): our edit and revoke reach the contact's phone, the contact's show in the API, and
 * so do those made on the account's own phone, a poll sent to two contacts is voted on, with tallies in the API
 * and signed `poll.vote` webhooks, and the contact's location and contact card are stored with their fields.
 */
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningLocalProduct, startLocalProduct } from '../../local/product.js';
import { ApiClient, eventually } from '../support/api-client.js';
import { type WebhookReceiver, startWebhookReceiver } from '../support/webhook-receiver.js';

const ACCOUNT = '+15550471111';
const GRACE = '+15550472222';
const HEIDI = '+15550473333';
const digits = (e164: string) => e164.slice(1);

interface MessageBody {
  id: string;
  status: string;
  type: string;
  waMessageId?: string;
  direction: string;
  edited?: boolean;
  editHistory?: { body: string }[];
  revoked?: boolean;
  content: {
    type: string;
    text?: { body: string };
    location?: unknown;
    contacts?: unknown;
    poll?: { name: string; options: { name: string; count: number; voters: string[] }[] };
  };
}
interface Envelope {
  id: string;
  type: string;
  sessionId: string;
  data: Record<string, unknown>;
}

describe('end to end: edit, revoke and polls, both ways', () => {
  let product: RunningLocalProduct;
  let api: ApiClient;
  let receiver: WebhookReceiver;
  let secret: string;
  let sessionId: string;

  const message = (id: string) => api.get<MessageBody>(`/v1/sessions/${sessionId}/messages/${id}`);
  const sentMessage = (id: string) =>
    eventually(`message ${id} sent`, async () => {
      const m = (await message(id)).body;
      return ['sent', 'delivered', 'read'].includes(m.status) ? m : undefined;
    });
  const inbound = (waMessageId: string) =>
    eventually(`inbound ${waMessageId} in the API`, async () => {
      const page = await api.get<{ items: MessageBody[] }>(`/v1/sessions/${sessionId}/messages?limit=50`);
      return page.body.items.find((m) => m.waMessageId === waMessageId);
    });
  const webhooks = () => {
    const verifier = new Webhook(secret);
    return receiver.received.map((r) => verifier.verify(r.body, r.headers) as Envelope);
  };

  beforeAll(async () => {
    product = await startLocalProduct({
      simulator: true,
      hosts: 1,
      stackFile: false,
      hostOutput: process.env.E2E_HOST_LOGS ? 'inherit' : 'ignore',
    });
    const key = product.stack.tenantApiKey;
    if (!key) throw new Error('no tenant was seeded');
    api = new ApiClient(product.stack.apiUrl, key);
    receiver = await startWebhookReceiver();
    const hook = await api.post<{ secret: string }>('/v1/webhooks', {
      url: receiver.url,
      events: ['message.edited', 'message.revoked', 'poll.vote'],
    });
    expect(hook.status).toBe(201);
    secret = hook.body.secret;

    const sim = product.simulator!;
    sim.addContact(GRACE, 'Grace');
    sim.addContact(HEIDI, 'Heidi');
    sessionId = (await api.post<{ id: string }>('/v1/sessions', { name: 'actions' })).body.id;
    const qr = await eventually('a QR', async () => {
      const r = await api.get<{ qr: string }>(`/v1/sessions/${sessionId}/qr`);
      return r.status === 200 ? r.body.qr : undefined;
    });
    expect((await sim.scanQr(qr, digits(ACCOUNT))).outcome).toBe('refreshed');
    const redrawn = await eventually('the re-drawn QR', async () => {
      const r = await api.get<{ qr: string }>(`/v1/sessions/${sessionId}/qr`);
      return r.status === 200 && r.body.qr !== qr ? r.body.qr : undefined;
    });
    expect((await sim.scanQr(redrawn, digits(ACCOUNT))).outcome).toBe('paired');
    await eventually('connected', async () =>
      (await api.get<{ status: string }>(`/v1/sessions/${sessionId}`)).body.status === 'connected'
        ? true
        : undefined,
    );
  }, 120_000);
  afterAll(async () => {
    await receiver?.close();
    await product?.stop();
  });

  it("our edit and revoke reach the contact's phone; the API shows them; a contact's message cannot be edited", async () => {
    const sim = product.simulator!;
    const sent = await api.post<{ id: string }>(`/v1/sessions/${sessionId}/messages`, {
      to: GRACE,
      type: 'text',
      text: { body: 'Your table is at 7' },
    });
    const original = await sentMessage(sent.body.id);
    const edit = await api.post<{ id: string }>(`/v1/sessions/${sessionId}/messages/${sent.body.id}/edit`, {
      text: 'Your table is at 8',
    });
    expect(edit.status).toBe(202);
    const seen = await eventually('the edit on the phone', async () => {
      const e = sim.inbox(digits(GRACE)).find((x) => x.id === original.waMessageId);
      return e?.edited ? e : undefined;
    });
    expect(seen).toMatchObject({ text: 'Your table is at 8', editHistory: ['Your table is at 7'] });
    const edited = await eventually('the edit in the API', async () => {
      const m = (await message(sent.body.id)).body;
      return m.edited ? m : undefined;
    });
    expect(edited.content.text?.body).toBe('Your table is at 8');
    expect(edited.editHistory?.map((h) => h.body)).toEqual(['Your table is at 7']);

    const revoke = await api.post(`/v1/sessions/${sessionId}/messages/${sent.body.id}/revoke`);
    expect(revoke.status).toBe(202);
    await eventually('the revoke on the phone', async () =>
      sim.inbox(digits(GRACE)).find((x) => x.id === original.waMessageId)?.revoked ? true : undefined,
    );
    const revoked = await eventually('the revoke in the API', async () => {
      const m = (await message(sent.body.id)).body;
      return m.revoked ? m : undefined;
    });
    expect(revoked).toMatchObject({ type: 'revoked', content: { type: 'revoked' } });

    const theirs = await sim.contactSend(digits(GRACE), digits(ACCOUNT), 'Can we come at 9?');
    const stored = await inbound(theirs.id);
    const refused = await api.post<{ type: string }>(`/v1/sessions/${sessionId}/messages/${stored.id}/edit`, {
      text: 'no',
    });
    expect(refused.status).toBe(409);
    expect(refused.body.type).toMatch(/\/not-own-message$/);
  });

  it("the contact's edit and revoke show in the API and arrive as signed webhooks", async () => {
    const sim = product.simulator!;
    const first = await sim.contactSend(digits(GRACE), digits(ACCOUNT), 'Four poeple');
    const firstStored = await inbound(first.id);
    await sim.contactActions.edit(digits(GRACE), digits(ACCOUNT), first.id, 'Four people');
    const second = await sim.contactSend(digits(GRACE), digits(ACCOUNT), 'wrong chat');
    const secondStored = await inbound(second.id);
    await sim.contactActions.revoke(digits(GRACE), digits(ACCOUNT), second.id);

    const edited = await eventually('the edit in the API', async () => {
      const m = (await message(firstStored.id)).body;
      return m.edited ? m : undefined;
    });
    expect(edited.content.text?.body).toBe('Four people');
    expect(edited.editHistory?.map((h) => h.body)).toEqual(['Four poeple']);
    await eventually('the revoke in the API', async () =>
      (await message(secondStored.id)).body.revoked ? true : undefined,
    );

    const events = await eventually(
      'edit and revoke webhooks',
      async () => {
        const all = webhooks();
        const ok =
          all.some((e) => e.type === 'message.edited' && e.data.messageId === firstStored.id) &&
          all.some((e) => e.type === 'message.revoked' && e.data.messageId === secondStored.id);
        return ok ? all : undefined;
      },
      60_000,
    );
    expect(
      events.find((e) => e.type === 'message.edited' && e.data.messageId === firstStored.id)?.data,
    ).toMatchObject({ direction: 'inbound', text: 'Four people', from: { phone: GRACE } });
  });

  it("an edit and a revoke made on the account's own phone show in the API and arrive as signed webhooks", async () => {
    const sim = product.simulator!;
    const sent = await api.post<{ id: string }>(`/v1/sessions/${sessionId}/messages`, {
      to: HEIDI,
      type: 'text',
      text: { body: 'Delivery on Monday' },
    });
    const ours = await sentMessage(sent.body.id);
    await sim.phoneChats.changeMessage(digits(ACCOUNT), digits(HEIDI), ours.waMessageId!, {
      action: 'edit',
      text: 'Delivery on Tuesday',
    });
    const edited = await eventually('the phone’s edit in the API', async () => {
      const m = (await message(ours.id)).body;
      return m.edited ? m : undefined;
    });
    expect(edited.content.text?.body).toBe('Delivery on Tuesday');
    expect(edited.editHistory?.map((h) => h.body)).toEqual(['Delivery on Monday']);
    await sim.phoneChats.changeMessage(digits(ACCOUNT), digits(HEIDI), ours.waMessageId!, {
      action: 'revoke',
    });
    await eventually('the phone’s revoke in the API', async () =>
      (await message(ours.id)).body.revoked ? true : undefined,
    );
    const events = await eventually(
      'edit and revoke webhooks for our message',
      async () => {
        const mine = webhooks().filter((e) => e.data.messageId === ours.id);
        return mine.some((e) => e.type === 'message.edited') && mine.some((e) => e.type === 'message.revoked')
          ? mine
          : undefined;
      },
      60_000,
    );
    expect(events.find((e) => e.type === 'message.edited')?.data).toMatchObject({
      direction: 'outbound',
      text: 'Delivery on Tuesday',
    });
  });

  it('a poll sent to two contacts is voted on; the API shows tallies and signed poll.vote webhooks carry them', async () => {
    const sim = product.simulator!;
    const poll = { name: 'Which slot?', options: ['Morning', 'Noon', 'Evening'], selectableCount: 1 };
    const ids: Record<string, string> = {};
    for (const contact of [GRACE, HEIDI]) {
      const sent = await api.post<{ id: string }>(`/v1/sessions/${sessionId}/messages`, {
        to: contact,
        type: 'poll',
        poll,
      });
      expect(sent.status).toBe(202);
      ids[contact] = sent.body.id;
    }
    const grace = await sentMessage(ids[GRACE]!);
    const heidi = await sentMessage(ids[HEIDI]!);
    await eventually('the polls on both phones', async () =>
      sim.inbox(digits(GRACE)).some((e) => e.id === grace.waMessageId && e.type === 'poll') &&
      sim.inbox(digits(HEIDI)).some((e) => e.id === heidi.waMessageId && e.type === 'poll')
        ? true
        : undefined,
    );
    await sim.contactActions.vote(digits(GRACE), digits(ACCOUNT), grace.waMessageId!, ['Noon']);
    await sim.contactActions.vote(digits(HEIDI), digits(ACCOUNT), heidi.waMessageId!, ['Evening']);

    const tallies = async (id: string) =>
      (await message(id)).body.content.poll?.options.map((o) => [o.name, o.count, o.voters]);
    await eventually('both votes tallied', async () =>
      (await tallies(ids[GRACE]!))?.[1]?.[1] === 1 && (await tallies(ids[HEIDI]!))?.[2]?.[1] === 1
        ? true
        : undefined,
    );
    expect(await tallies(ids[GRACE]!)).toEqual([
      ['Morning', 0, []],
      ['Noon', 1, [GRACE]],
      ['Evening', 0, []],
    ]);
    expect(await tallies(ids[HEIDI]!)).toEqual([
      ['Morning', 0, []],
      ['Noon', 0, []],
      ['Evening', 1, [HEIDI]],
    ]);

    const votes = await eventually(
      'two signed poll.vote webhooks',
      async () => {
        const found = webhooks().filter((e) => e.type === 'poll.vote');
        return found.length >= 2 ? found : undefined;
      },
      60_000,
    );
    expect(votes.map((v) => [v.data.messageId, v.data.voter, v.data.selectedOptions])).toEqual(
      expect.arrayContaining([
        [ids[GRACE], GRACE, ['Noon']],
        [ids[HEIDI], HEIDI, ['Evening']],
      ]),
    );
    const graceVote = votes.find((v) => v.data.voter === GRACE)!;
    expect(graceVote.sessionId).toBe(sessionId);
    expect((graceVote.data.poll as { options: { count: number }[] }).options.map((o) => o.count)).toEqual([
      0, 1, 0,
    ]);
  });
  it("the contact's location and contact card are stored with their fields", async () => {
    const sim = product.simulator!;
    const place = await sim.contactActions.sendLocation(digits(HEIDI), digits(ACCOUNT), {
      latitude: -33.8568,
      longitude: 151.2153,
      name: 'Opera House',
      address: 'Bennelong Point, Sydney',
    });
    const card = await sim.contactActions.sendContactCard(digits(HEIDI), digits(ACCOUNT), {
      name: 'Ivan Petrov',
      phones: ['+15550479999', '+15550478888'],
    });
    expect((await inbound(place.id)).content).toEqual({
      type: 'location',
      location: {
        latitude: -33.8568,
        longitude: 151.2153,
        name: 'Opera House',
        address: 'Bennelong Point, Sydney',
      },
    });
    expect((await inbound(card.id)).content).toEqual({
      type: 'contacts',
      contacts: [
        {
          name: { formattedName: 'Ivan Petrov' },
          phones: [{ phone: '+15550479999' }, { phone: '+15550478888' }],
        },
      ],
    });
  });
});
