/**
 * Chat state through the whole local product (API, session host process with real Baileys, the simulator with
 * app-state patches, signed webhooks): archive, pin, mute and mark unread set through the API show on the
 * account's phone (it decodes the stored patches with its key), the phone's own changes reach the API and
 * `chat.updated` webhooks, and a patch whose MAC was tampered with changes nothing.
 */
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningLocalProduct, startLocalProduct } from '../../local/product.js';
import { ApiClient, eventually } from '../support/api-client.js';
import { type WebhookReceiver, startWebhookReceiver } from '../support/webhook-receiver.js';

const ACCOUNT = '+15550481111';
const KAREN = '+15550482222';
const LEO = '+15550483333';
const digits = (e164: string) => e164.slice(1);
const jid = (e164: string) => `${digits(e164)}@s.whatsapp.net`;

interface ChatBody {
  chatJid: string;
  phone?: string;
  archived: boolean;
  pinned: boolean;
  muted: boolean;
  mutedUntil?: string;
  unread: boolean;
}
interface Envelope {
  type: string;
  sessionId: string;
  data: { chat: ChatBody };
}

describe('end to end: chat state (archive, pin, mute, unread) through app state, both ways', () => {
  let product: RunningLocalProduct;
  let api: ApiClient;
  let receiver: WebhookReceiver;
  let secret: string;
  let sessionId: string;

  const chat = async (phone: string) =>
    (await api.get<{ items: ChatBody[] }>(`/v1/sessions/${sessionId}/chats`)).body.items.find(
      (c) => c.phone === phone,
    );
  const chatUpdated = (phone: string, has: (c: ChatBody) => boolean) =>
    eventually(`chat.updated for ${phone}`, () => {
      const verifier = new Webhook(secret);
      return Promise.resolve(
        receiver.received
          .map((r) => verifier.verify(r.body, r.headers) as Envelope)
          .find((e) => e.type === 'chat.updated' && e.data.chat.phone === phone && has(e.data.chat)),
      );
    });
  const phoneView = async (phone: string) =>
    (await product.simulator!.phoneChats.flags(digits(ACCOUNT))).find((c) => c.jid === jid(phone));

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
      events: ['chat.updated'],
    });
    expect(hook.status).toBe(201);
    secret = hook.body.secret;

    const sim = product.simulator!;
    sim.addContact(KAREN, 'Karen');
    sim.addContact(LEO, 'Leo');
    sessionId = (await api.post<{ id: string }>('/v1/sessions', { name: 'chat-state' })).body.id;
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
    // The chats list is built from messages: each contact writes first.
    await sim.contactSend(digits(KAREN), digits(ACCOUNT), 'Hello from Karen');
    await sim.contactSend(digits(LEO), digits(ACCOUNT), 'Hello from Leo');
    await eventually('both chats', async () => ((await chat(KAREN)) && (await chat(LEO)) ? true : undefined));
  }, 180_000);
  afterAll(async () => {
    await receiver?.close();
    await product?.stop();
  });

  it("the API's archive, pin, mute and mark unread show on the phone; chat.updated carries them", async () => {
    const until = new Date(Date.now() + 8 * 3600_000);
    until.setMilliseconds(0);
    const patched = await api.patch<ChatBody>(
      `/v1/sessions/${sessionId}/chats/${encodeURIComponent(KAREN)}`,
      {
        archived: true,
        pinned: true,
        mutedUntil: until.toISOString(),
        unread: true,
      },
    );
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      archived: true,
      pinned: true,
      muted: true,
      mutedUntil: until.toISOString(),
      unread: true,
    });
    expect(await phoneView(KAREN)).toEqual({
      jid: jid(KAREN),
      archived: true,
      pinned: true,
      mutedUntil: until.getTime(),
      unread: true,
    });
    await chatUpdated(KAREN, (c) => c.archived && c.pinned && c.muted && c.unread);
    expect(await chat(KAREN)).toMatchObject({ archived: true, pinned: true, muted: true, unread: true });
  });

  it("the phone's unarchive, unpin, unmute and mark read reach the API and chat.updated", async () => {
    const phone = product.simulator!.phoneChats;
    await phone.modify(digits(ACCOUNT), digits(KAREN), { action: 'archive', archived: false });
    await phone.modify(digits(ACCOUNT), digits(KAREN), { action: 'pin', pinned: false });
    await phone.modify(digits(ACCOUNT), digits(KAREN), { action: 'mute', until: null });
    await phone.modify(digits(ACCOUNT), digits(KAREN), { action: 'markRead', read: true });
    const cleared = await eventually('the flags cleared in the API', async () => {
      const c = await chat(KAREN);
      return c && !c.archived && !c.pinned && !c.muted && !c.unread ? c : undefined;
    });
    expect(cleared.mutedUntil).toBeUndefined();
    await chatUpdated(KAREN, (c) => !c.archived && !c.pinned && !c.muted && !c.unread);

    // Muted for ever on the phone: muted, no end time.
    await phone.modify(digits(ACCOUNT), digits(KAREN), { action: 'mute', until: -1 });
    const forever = await eventually('muted for ever', async () => {
      const c = await chat(KAREN);
      return c?.muted ? c : undefined;
    });
    expect(forever.mutedUntil).toBeUndefined();
  });

  it('a tampered patch from the phone changes nothing; bad input is 400 naming the field, an unknown chat 404', async () => {
    const phone = product.simulator!.phoneChats;
    await phone.modify(digits(ACCOUNT), digits(LEO), { action: 'pin', pinned: true }, { badMac: true });
    await phone.modify(digits(ACCOUNT), digits(LEO), { action: 'archive', archived: true });
    await eventually('the good patch in the API', async () =>
      (await chat(LEO))?.archived ? true : undefined,
    );
    expect((await chat(LEO))?.pinned).toBe(false);

    const past = await api.patch<{ errors?: { pointer?: string }[] }>(
      `/v1/sessions/${sessionId}/chats/${encodeURIComponent(LEO)}`,
      { mutedUntil: '2020-01-01T00:00:00Z' },
    );
    expect(past.status).toBe(400);
    expect(past.body.errors?.map((e) => e.pointer)).toContain('/mutedUntil');
    const empty = await api.patch(`/v1/sessions/${sessionId}/chats/${encodeURIComponent(LEO)}`, {});
    expect(empty.status).toBe(400);
    const typo = await api.patch<{ errors?: { pointer?: string }[] }>(
      `/v1/sessions/${sessionId}/chats/${encodeURIComponent(LEO)}`,
      { archived: 'yes' },
    );
    expect(typo.status).toBe(400);
    expect(typo.body.errors?.map((e) => e.pointer)).toContain('/archived');
    const unknown = await api.patch(`/v1/sessions/${sessionId}/chats/${encodeURIComponent('+15550489999')}`, {
      archived: true,
    });
    expect(unknown.status).toBe(404);
  });
});
