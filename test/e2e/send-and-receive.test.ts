/**
 * The whole product on the local stack with the simulator and real Baileys in a session host process: a tenant
 * links a number through the API, sends a text, sees receipts move it to read, and gets the contact's reply.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningLocalProduct, startLocalProduct } from '../../local/product.js';
import { ApiClient, eventually } from '../support/api-client.js';

const ACCOUNT = '+15550001111';
const CONTACT = '+15550002222';
const digits = (e164: string) => e164.slice(1);

interface SessionBody {
  id: string;
  status: string;
  phone?: string;
}
interface MessageBody {
  id: string;
  status: string;
  statusHistory?: { status: string }[];
}

describe('end to end: link, send, receipts, reply', () => {
  let product: RunningLocalProduct;
  let api: ApiClient;

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
  });
  afterAll(async () => product?.stop());

  let sessionId: string;
  let messageId: string;

  it('creates a session whose QR the simulated phone scans, and the session connects', async () => {
    const sim = product.simulator!;
    const created = await api.post<SessionBody>('/v1/sessions', { name: 'support line' });
    expect(created.status).toBe(201);
    sessionId = created.body.id;

    const qr = await eventually('a QR from the API', async () => {
      const response = await api.get<{ qr: string }>(`/v1/sessions/${sessionId}/qr`);
      return response.status === 200 ? response.body.qr : undefined;
    });
    // Today's server answers the first scan with companion_reg_refresh: the host re-draws the QR with a new adv
    // secret (same ref) and the user scans that one.
    expect((await sim.scanQr(qr, digits(ACCOUNT))).outcome).toBe('refreshed');
    const redrawn = await eventually('the re-drawn QR', async () => {
      const response = await api.get<{ qr: string }>(`/v1/sessions/${sessionId}/qr`);
      return response.status === 200 && response.body.qr !== qr ? response.body.qr : undefined;
    });
    expect(redrawn.split(',')[0]).toBe(qr.split(',')[0]);
    expect((await sim.scanQr(redrawn, digits(ACCOUNT))).outcome).toBe('paired');

    const connected = await eventually('status connected', async () => {
      const response = await api.get<SessionBody>(`/v1/sessions/${sessionId}`);
      return response.body.status === 'connected' ? response.body : undefined;
    });
    expect(connected.phone).toBe(ACCOUNT);
  });

  it('sends a text that lands in the contact’s inbox', async () => {
    const sim = product.simulator!;
    const sent = await api.post<MessageBody>(`/v1/sessions/${sessionId}/messages`, {
      to: CONTACT,
      type: 'text',
      text: { body: 'Your order has shipped' },
      metadata: { orderId: 'A-17' },
    });
    expect(sent.status).toBe(202);
    expect(sent.body.status).toBe('queued');
    messageId = sent.body.id;

    const entry = await eventually('the text in the contact inbox', async () =>
      sim.inbox(digits(CONTACT)).find((e) => e.text === 'Your order has shipped'),
    );
    expect(entry.type).toBe('text');
    await eventually('status sent', async () => {
      const response = await api.get<MessageBody>(`/v1/sessions/${sessionId}/messages/${messageId}`);
      return ['sent', 'delivered', 'read'].includes(response.body.status) ? true : undefined;
    });

    sim.sendReceipt(digits(CONTACT), entry.id, 'delivered');
    await eventually('status delivered', async () => {
      const response = await api.get<MessageBody>(`/v1/sessions/${sessionId}/messages/${messageId}`);
      return response.body.status === 'delivered' ? true : undefined;
    });
    sim.sendReceipt(digits(CONTACT), entry.id, 'read');
    const read = await eventually('status read', async () => {
      const response = await api.get<MessageBody>(`/v1/sessions/${sessionId}/messages/${messageId}`);
      return response.body.status === 'read' ? response.body : undefined;
    });
    expect(read.statusHistory?.map((s) => s.status)).toEqual(
      expect.arrayContaining(['queued', 'sent', 'delivered', 'read']),
    );
  });

  it('stores the contact’s reply in the history and counts it unread in the chat', async () => {
    const sim = product.simulator!;
    const entry = sim.inbox(digits(CONTACT)).find((e) => e.text === 'Your order has shipped')!;
    await sim.contactSend(digits(CONTACT), digits(ACCOUNT), 'Thanks! When will it arrive?', entry.id);

    const history = await eventually('the reply in the chat history', async () => {
      const response = await api.get<{
        items: { direction: string; content?: { text?: { body?: string } } }[];
      }>(`/v1/sessions/${sessionId}/messages?chat=${encodeURIComponent(CONTACT)}`);
      const reply = response.body.items?.find((m) => m.direction === 'inbound');
      return reply ? response.body.items : undefined;
    });
    expect(history.some((m) => m.direction === 'outbound')).toBe(true);
    expect(JSON.stringify(history)).toContain('Thanks! When will it arrive?');

    const chats = await api.get<{ items: { unreadCount: number }[] }>(`/v1/sessions/${sessionId}/chats`);
    expect(chats.status).toBe(200);
    expect(chats.body.items[0]?.unreadCount).toBe(1);
  });

  it('marking the chat read resets the count and sends the contact read receipts; a second call is a no-op', async () => {
    const sim = product.simulator!;
    await sim.contactSend(digits(CONTACT), digits(ACCOUNT), 'And can I change the address?');
    const chatOf = async () => {
      const response = await api.get<{ items: { phone?: string; unreadCount: number }[] }>(
        `/v1/sessions/${sessionId}/chats`,
      );
      return response.body.items.find((c) => c.phone === CONTACT);
    };
    await eventually('two unread in the chat', async () =>
      (await chatOf())?.unreadCount === 2 ? true : undefined,
    );
    const texts = ['Thanks! When will it arrive?', 'And can I change the address?'];
    const sent = () => sim.outbox(digits(CONTACT)).filter((e) => texts.includes(e.text ?? ''));
    expect(sent().map((e) => e.status)).toEqual(['delivered', 'delivered']);

    const path = `/v1/sessions/${sessionId}/chats/${encodeURIComponent(CONTACT)}/read`;
    const read = await api.post<{ phone: string; unreadCount: number }>(path);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ phone: CONTACT, unreadCount: 0 });
    expect((await chatOf())?.unreadCount).toBe(0);

    // Through the host and real Baileys (`readMessages`): the contact's phone sees both messages read.
    await eventually('both messages read on the contact’s phone', async () =>
      sent().every((e) => e.status === 'read') ? true : undefined,
    );
    const history = await api.get<{
      items: { direction: string; status: string; statusHistory: { status: string }[] }[];
    }>(`/v1/sessions/${sessionId}/messages?chat=${encodeURIComponent(CONTACT)}`);
    const inbound = history.body.items.filter((m) => m.direction === 'inbound');
    expect(inbound.map((m) => m.status)).toEqual(['read', 'read']);

    const again = await api.post<{ unreadCount: number }>(path);
    expect(again.status).toBe(200);
    expect(again.body.unreadCount).toBe(0);
    const after = await api.get<{ items: { direction: string; statusHistory: { status: string }[] }[] }>(
      `/v1/sessions/${sessionId}/messages?chat=${encodeURIComponent(CONTACT)}`,
    );
    // Nothing was marked twice.
    expect(
      after.body.items
        .filter((m) => m.direction === 'inbound')
        .map((m) => m.statusHistory.filter((s) => s.status === 'read').length),
    ).toEqual([1, 1]);
  });

  it('ten racing retries with one Idempotency-Key send exactly one WhatsApp message', async () => {
    const sim = product.simulator!;
    const body = { to: CONTACT, type: 'text', text: { body: 'Your invoice is ready' } };
    const headers = { 'idempotency-key': 'invoice-2026-11-A17' };
    const retries = await Promise.all(
      Array.from({ length: 10 }, () =>
        api.post<MessageBody>(`/v1/sessions/${sessionId}/messages`, body, headers),
      ),
    );
    expect(retries.map((r) => r.status)).toEqual(Array(10).fill(202));
    expect(new Set(retries.map((r) => r.body.id)).size).toBe(1);

    // Sends of one session leave in order, so once a later marker has arrived any duplicate would have too.
    const marker = await api.post<MessageBody>(`/v1/sessions/${sessionId}/messages`, {
      to: CONTACT,
      type: 'text',
      text: { body: 'marker after the retries' },
    });
    expect(marker.status).toBe(202);
    await eventually('the marker in the contact inbox', async () =>
      sim.inbox(digits(CONTACT)).find((e) => e.text === 'marker after the retries'),
    );
    expect(sim.inbox(digits(CONTACT)).filter((e) => e.text === 'Your invoice is ready')).toHaveLength(1);
  });

  it('a photo from the contact is stored with the message and downloadable through the API', async () => {
    const sim = product.simulator!;
    const photo = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7) % 256));
    await sim.contactSendMedia(digits(CONTACT), digits(ACCOUNT), {
      kind: 'image',
      bytes: photo,
      mimetype: 'image/jpeg',
      caption: 'the parcel arrived like this',
    });
    const image = await eventually('the image in the chat history', async () => {
      const response = await api.get<{
        items: {
          direction: string;
          type: string;
          content: { image?: { mediaId?: string; caption?: string } };
        }[];
      }>(`/v1/sessions/${sessionId}/messages?chat=${encodeURIComponent(CONTACT)}`);
      return response.body.items.find((m) => m.direction === 'inbound' && m.type === 'image');
    });
    expect(image.content.image?.caption).toBe('the parcel arrived like this');
    const mediaId = image.content.image?.mediaId;
    expect(mediaId).toBeDefined();

    const download = await fetch(`${product.stack.apiUrl}/v1/media/${mediaId}`, {
      headers: { authorization: `Bearer ${product.stack.tenantApiKey}` },
    });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await download.arrayBuffer()).equals(photo)).toBe(true);
  });

  it('an uploaded photo sent by mediaId goes through the media host and reaches the contact byte-exact', async () => {
    const sim = product.simulator!;
    const photo = Buffer.from(Array.from({ length: 20_000 }, (_, i) => (i * 31 + 7) % 256));
    const uploaded = await fetch(`${product.stack.apiUrl}/v1/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${product.stack.tenantApiKey}`, 'content-type': 'image/jpeg' },
      body: photo,
    });
    expect(uploaded.status).toBe(201);
    const media = (await uploaded.json()) as { id: string; mimeType: string; size: number };
    expect(media).toMatchObject({ mimeType: 'image/jpeg', size: photo.length });

    const sent = await api.post<MessageBody>(`/v1/sessions/${sessionId}/messages`, {
      to: CONTACT,
      type: 'image',
      image: { mediaId: media.id, caption: 'your invoice, photographed' },
    });
    expect(sent.status).toBe(202);

    const entry = await eventually('the image in the contact inbox', async () =>
      sim.inbox(digits(CONTACT)).find((e) => e.type === 'image' && e.text === 'your invoice, photographed'),
    );
    expect(entry.media).toMatchObject({ mimetype: 'image/jpeg', fileLength: photo.length });
    expect(sim.contactMedia(digits(CONTACT), entry.id).equals(photo)).toBe(true);
    await eventually('status sent', async () => {
      const response = await api.get<MessageBody>(`/v1/sessions/${sessionId}/messages/${sent.body.id}`);
      return ['sent', 'delivered', 'read'].includes(response.body.status) ? true : undefined;
    });
  });
});
