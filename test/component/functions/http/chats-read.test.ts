/**
 * `POST /v1/sessions/{id}/chats/{chatId}/read` through the real local gateway: the messages and chat a session
 * host would have stored are seeded, a test host owns the session (its queue shows the doorbell), and a real
 * webhook receiver subscribed to `chat.updated` shows the event went over the bus. The host side and Baileys
 * are the e2e test's (test/e2e/send-and-receive.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostCommand } from '../../../../shared/contracts/host-command.js';
import { newId, nowIso } from '../../../../shared/domain/ids.js';
import type { Message } from '../../../../shared/domain/message.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../../support/webhook-receiver.js';
import { eventually } from '../../../support/api-client.js';
import { startApi, type ApiHarness, type TenantHandle } from './support.js';

type Problem = { status: number; detail: string; errors?: { field?: string; location?: string }[] };
type ChatView = { chatJid: string; phone?: string; lid?: string; unreadCount: number };

let api: ApiHarness;
let tenant: TenantHandle;
let receiver: WebhookReceiver;

beforeAll(async () => {
  api = await startApi();
  tenant = await api.createTenant({ maxSessions: 10, requestsPerMinute: 10_000 });
  receiver = await startWebhookReceiver();
  const hook = await api.call('POST', '/v1/webhooks', {
    key: tenant.key,
    body: { url: receiver.url, events: ['chat.updated'] },
  });
  expect(hook.status).toBe(201);
}, 120_000);
afterAll(async () => {
  await receiver?.close();
  await api?.stop();
});

async function newSession(key = tenant.key): Promise<string> {
  const reply = await api.call<{ id: string }>('POST', '/v1/sessions', { key, body: {} });
  expect(reply.status).toBe(201);
  return reply.body.id;
}

/** Stands in for a session host: takes the lease and opens its command queue. */
async function ownAs(sessionId: string): Promise<string> {
  const hostId = `h${newId().toLowerCase().slice(-10)}`;
  const queueUrl = await api.hostQueues.create(hostId);
  expect((await api.repos.sessions.claim(sessionId, hostId, 60_000, Date.now()))?.owner).toBe(hostId);
  return queueUrl;
}

async function nextCommand(queueUrl: string): Promise<HostCommand> {
  for (let i = 0; i < 10; i += 1) {
    const [received] = await api.hostQueues.receive(queueUrl, { max: 1, waitSeconds: 1 });
    if (received) {
      await received.ack();
      return received.command;
    }
  }
  throw new Error('no command arrived');
}

/** Messages from a contact as a session host stores them: `delivered`, each one more unread in the chat. */
async function receive(
  sessionId: string,
  chatJid: string,
  from: Message['from'],
  count: number,
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const at = nowIso();
    const { message } = await api.repos.messages.create({
      id: newId(),
      tenantId: tenant.tenantId,
      sessionId,
      direction: 'inbound',
      chatJid,
      ...(from ? { from } : {}),
      senderJid: chatJid,
      type: 'text',
      content: { type: 'text', text: { body: `hello ${i}` } },
      status: 'delivered',
      statusHistory: [{ status: 'delivered', at }],
      waMessageId: `WA${newId()}`,
      createdAt: at,
      updatedAt: at,
    });
    await api.repos.chats.recordMessage({
      tenantId: tenant.tenantId,
      sessionId,
      chatJid,
      ...(from?.phone ? { phone: from.phone } : {}),
      ...(from?.lid ? { lid: from.lid } : {}),
      lastMessage: { id: message.id, type: 'text', preview: `hello ${i}`, at, direction: 'inbound' },
    });
    ids.push(message.id);
  }
  return ids;
}

const readPath = (sessionId: string, chatId: string) =>
  `/v1/sessions/${sessionId}/chats/${encodeURIComponent(chatId)}/read`;

describe('mark a chat read', () => {
  it('answers the chat with unread 0, marks the messages read, rings the owner host and publishes chat.updated', async () => {
    const sessionId = await newSession();
    const queueUrl = await ownAs(sessionId);
    const phone = '+15553330001';
    const ids = await receive(sessionId, '15553330001@s.whatsapp.net', { phone }, 2);

    const reply = await api.call<ChatView>('POST', readPath(sessionId, phone), { key: tenant.key });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ chatJid: '15553330001@s.whatsapp.net', phone, unreadCount: 0 });
    expect(reply.body).not.toHaveProperty('tenantId');
    for (const id of ids) expect((await api.repos.messages.get(sessionId, id))?.status).toBe('read');
    expect(await api.repos.messages.listReadReceiptsPending(sessionId)).toHaveLength(2);
    expect(await nextCommand(queueUrl)).toMatchObject({
      type: 'chat.read',
      tenantId: tenant.tenantId,
      sessionId,
      messageIds: ids,
    });

    const event = await eventually('chat.updated at the webhook', async () =>
      receiver.received
        .map((r) => JSON.parse(r.body) as { type: string; sessionId: string; data: { chat: ChatView } })
        .find((e) => e.type === 'chat.updated' && e.sessionId === sessionId),
    );
    expect(event.data.chat).toEqual(reply.body);

    // Nothing unread any more: the same answer, no second doorbell.
    const again = await api.call<ChatView>('POST', readPath(sessionId, phone), { key: tenant.key });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(reply.body);
    expect(await api.hostQueues.receive(queueUrl, { max: 1, waitSeconds: 1 })).toEqual([]);
  });

  it('a group chat is answered and published named by the group’s subject, not its id', async () => {
    const sessionId = await newSession();
    const groupId = '120363025550001111@g.us';
    await api.repos.groups.put(
      tenant.tenantId,
      sessionId,
      {
        id: groupId,
        subject: 'Bike club',
        announce: false,
        locked: false,
        joinApproval: false,
        size: 0,
        participants: [],
      },
      nowIso(),
    );
    await receive(sessionId, groupId, { phone: '+15553330002' }, 1);

    const reply = await api.call<ChatView & { name?: string }>('POST', readPath(sessionId, groupId), {
      key: tenant.key,
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ chatJid: groupId, name: 'Bike club', unreadCount: 0 });
    const event = await eventually('the group chat.updated at the webhook', async () =>
      receiver.received
        .map((r) => JSON.parse(r.body) as { type: string; sessionId: string; data: { chat: ChatView } })
        .find((e) => e.type === 'chat.updated' && e.sessionId === sessionId),
    );
    expect(event.data.chat).toMatchObject({ chatJid: groupId, name: 'Bike club' });
  });

  it('a contact known only by LID is addressed lid:<digits>; a session no host owns still resets the count', async () => {
    const sessionId = await newSession();
    const [id] = await receive(sessionId, '201234567890123@lid', { lid: '201234567890123' }, 1);
    const reply = await api.call<ChatView>('POST', readPath(sessionId, 'lid:201234567890123'), {
      key: tenant.key,
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ lid: '201234567890123', unreadCount: 0 });
    // The receipt waits for a host to attach the session.
    expect((await api.repos.messages.listReadReceiptsPending(sessionId)).map((m) => m.id)).toEqual([id]);
  });

  it('a bad chat id is a 400 naming chatId; an unknown chat or another tenant’s session a 404; read-only keys a 403', async () => {
    const sessionId = await newSession();
    const phone = '+15553330002';
    await receive(sessionId, '15553330002@s.whatsapp.net', { phone }, 1);

    for (const bad of ['15553330002', 'lid:12ab', '+1']) {
      const reply = await api.call<Problem>('POST', readPath(sessionId, bad), { key: tenant.key });
      expect(reply.status, bad).toBe(400);
      expect(reply.body.errors?.[0]).toMatchObject({ location: 'path', field: 'chatId' });
    }
    const unknown = await api.call<Problem>('POST', readPath(sessionId, '+15553339999'), { key: tenant.key });
    expect(unknown.status).toBe(404);

    const other = await api.createTenant();
    const foreign = await api.call<Problem>('POST', readPath(sessionId, phone), { key: other.key });
    expect(foreign.status).toBe(404);

    const readOnly = await api.call<{ key: string }>('POST', '/v1/api-keys', {
      key: tenant.key,
      body: { name: 'reader', scopes: ['messages:read'] },
    });
    const refused = await api.call<Problem>('POST', readPath(sessionId, phone), { key: readOnly.body.key });
    expect(refused.status).toBe(403);
    // None of them changed anything.
    expect((await api.repos.chats.get(sessionId, '15553330002@s.whatsapp.net'))?.unreadCount).toBe(1);
  });
});
