import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId, nowIso } from '../../../../shared/domain/ids.js';
import { phoneToJid } from '../../../../shared/domain/phone.js';
import { startApi, type ApiHarness, type TenantHandle } from './support.js';

type Problem = {
  type: string;
  status: number;
  detail: string;
  errors?: { pointer?: string; field?: string }[];
};
type MessageView = {
  id: string;
  status: string;
  statusHistory: { status: string }[];
  chatJid: string;
  from?: { phone?: string; lid?: string };
};

let api: ApiHarness;
let tenant: TenantHandle;
let sessionId: string;

const text = (to: string, body = 'hello') => ({ to, type: 'text', text: { body } });

beforeAll(async () => {
  api = await startApi();
  tenant = await api.createTenant({ maxSessions: 50, sendsPerMinute: 1000, requestsPerMinute: 10_000 });
  sessionId = await newSession(tenant.key);
}, 120_000);
afterAll(async () => {
  await api?.stop();
});

async function newSession(key: string): Promise<string> {
  const reply = await api.call<{ id: string }>('POST', '/v1/sessions', { key, body: {} });
  expect(reply.status).toBe(201);
  return reply.body.id;
}

const send = (body: unknown, headers: Record<string, string> = {}, sid = sessionId, key = tenant.key) =>
  api.call<{ id: string; status: string } & Problem>('POST', `/v1/sessions/${sid}/messages`, {
    key,
    body,
    headers,
  });

describe('send validation', () => {
  const nested = (levels: number): unknown => {
    let value: unknown = 'leaf';
    for (let i = 0; i < levels; i += 1) value = { n: value };
    return value;
  };
  it.each([
    ['9 levels deep', nested(9), 'nested deeper than 8 levels'],
    ['31 levels deep (past DynamoDB Local, within the body cap)', nested(31), 'nested deeper than 8 levels'],
    ['10,000 levels deep', nested(10_000), 'nested deeper than 32 levels'],
    ['65 keys', Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, i])), 'more than 64 keys'],
  ])('metadata %s is a 400 naming /metadata and the limit, never a 500', async (_what, metadata, message) => {
    // JSON.stringify itself recurses; 10,000 levels of {"n":...} are spelled out as text instead.
    const body = _what.startsWith('10,000')
      ? `{"to":"+15551234567","type":"text","text":{"body":"x"},"metadata":${'{"n":'.repeat(10_000)}1${'}'.repeat(10_000)}}`
      : JSON.stringify({ ...text('+15551234567'), metadata });
    const reply = await api.call<Problem & { errors: { pointer: string; message: string }[] }>(
      'POST',
      `/v1/sessions/${sessionId}/messages`,
      { key: tenant.key, rawBody: body, headers: { 'content-type': 'application/json' } },
    );
    expect(reply.status).toBe(400);
    expect(reply.body.errors).toContainEqual(
      expect.objectContaining({ pointer: '/metadata', message: expect.stringContaining(message) }),
    );
  });

  it('metadata 8 levels deep with 64 keys is accepted', async () => {
    const metadata = {
      ...(nested(8) as object),
      ...Object.fromEntries(Array.from({ length: 56 }, (_, i) => [`k${i}`, i])),
    };
    const reply = await send({ ...text('+15551234567'), metadata });
    expect(reply.status).toBe(202);
  });

  it.each([
    ['a number that is not E.164', text('5551234567'), '/to'],
    ['an empty text', text('+15551234567', '   '), '/text/body'],
    ['a text over 4096 characters', text('+15551234567', 'x'.repeat(4097)), '/text/body'],
    ['an unknown type', { to: '+15551234567', type: 'call' }, '/type'],
    ['a field outside its object', { ...text('+15551234567'), caption: 'x' }, '/caption'],
    [
      'a non-http media URL',
      { to: '+15551234567', type: 'image', image: { url: 'file:///etc/passwd' } },
      '/image/url',
    ],
    [
      'media with no source',
      { to: '+15551234567', type: 'image', image: { caption: 'x' } },
      '/image/mediaId',
    ],
    [
      'metadata over 2048 bytes',
      { ...text('+15551234567'), metadata: { blob: 'x'.repeat(2100) } },
      '/metadata',
    ],
    [
      'credentials in a media URL',
      { to: '+15551234567', type: 'image', image: { url: 'https://user:pass@cdn.example.com/a.jpg' } },
      '/image/url',
    ],
  ])('400 for %s, naming %s', async (_what, body, pointer) => {
    const reply = await send(body);
    expect(reply.status).toBe(400);
    expect(reply.body.errors?.map((e) => e.pointer)).toContain(pointer);
  });

  it.each([
    'http://169.254.169.254/latest/meta-data/iam',
    'http://10.0.0.1/cat.jpg',
    'https://[fd00::1]/cat.jpg',
    'http://[::ffff:169.254.169.254]/x.jpg',
  ])('refuses media at a private or metadata address at the API: %s', async (url) => {
    const reply = await send({ to: '+15551234567', type: 'image', image: { url } });
    expect(reply.status).toBe(400);
    expect(reply.body.errors?.[0]?.pointer).toBe('/image/url');
  });

  it('accepts loopback media in local mode, and stores nothing for refused sends', async () => {
    const ok = await send({
      to: '+15551234567',
      type: 'document',
      document: { url: 'http://127.0.0.1:9/a.pdf', fileName: 'a.pdf' },
    });
    expect(ok.status).toBe(202);
    const sid = await newSession(tenant.key);
    await send({ to: '+1', type: 'text', text: { body: 'x' } }, {}, sid);
    await send({ to: '+15551234567', type: 'image', image: { url: 'http://10.0.0.1/x' } }, {}, sid);
    const history = await api.call<{ items: unknown[] }>('GET', `/v1/sessions/${sid}/messages`, {
      key: tenant.key,
    });
    expect(history.body.items).toEqual([]);
  });

  it('replyTo and a reaction must name a message of this session (400 naming the field), then they are accepted', async () => {
    const first = await send(text('+15551234567', 'original'));
    const unknown = newId();
    const badReply = await send({ ...text('+15551234567', 're'), replyTo: unknown });
    expect(badReply.status).toBe(400);
    expect(badReply.body.errors?.map((e) => e.pointer)).toEqual(['/replyTo']);
    const badReaction = await send({
      to: '+15551234567',
      type: 'reaction',
      reaction: { messageId: unknown, emoji: '👍' },
    });
    expect(badReaction.body.errors?.map((e) => e.pointer)).toEqual(['/reaction/messageId']);
    expect((await send({ ...text('+15551234567', 're'), replyTo: first.body.id })).status).toBe(202);
    const reaction = await send({
      to: '+15551234567',
      type: 'reaction',
      reaction: { messageId: first.body.id, emoji: '👍' },
    });
    expect(reaction.status).toBe(202);
  });

  it('a malformed JSON body is a 400, a non-JSON content type a 415', async () => {
    const bad = await api.call('POST', `/v1/sessions/${sessionId}/messages`, {
      key: tenant.key,
      rawBody: '{"to":',
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.status).toBe(400);
    const form = await api.call('POST', `/v1/sessions/${sessionId}/messages`, {
      key: tenant.key,
      rawBody: 'to=1',
      headers: { 'content-type': 'text/plain' },
    });
    expect(form.status).toBe(415);
  });
});

describe('send', () => {
  it('writes the message queued (202) and rings the owner host with message.send', async () => {
    const sid = await newSession(tenant.key);
    const hostId = `h${newId().toLowerCase().slice(-10)}`;
    const queueUrl = await api.hostQueues.create(hostId);
    await api.repos.sessions.claim(sid, hostId, 60_000, Date.now());

    const reply = await send({ ...text('+15551234567', 'hi there'), metadata: { orderId: 'A-1' } }, {}, sid);
    expect(reply.status).toBe(202);
    expect(reply.body).toEqual({ id: expect.any(String), status: 'queued' });
    const stored = await api.repos.messages.get(sid, reply.body.id);
    expect(stored).toMatchObject({
      tenantId: tenant.tenantId,
      direction: 'outbound',
      chatJid: phoneToJid('+15551234567'),
      to: '+15551234567',
      status: 'queued',
      content: { type: 'text', text: { body: 'hi there' } },
      metadata: { orderId: 'A-1' },
    });
    expect((await api.repos.messages.listQueued(sid)).map((m) => m.id)).toContain(reply.body.id);
    const [doorbell] = await api.hostQueues.receive(queueUrl, { max: 1, waitSeconds: 2 });
    expect(doorbell?.command).toMatchObject({
      type: 'message.send',
      sessionId: sid,
      messageId: reply.body.id,
    });
  });

  it('without an owner host the message simply waits queued for the host that claims the session', async () => {
    const reply = await send(text('+15557654321'));
    expect(reply.status).toBe(202);
    expect((await api.repos.messages.get(sessionId, reply.body.id))?.status).toBe('queued');
  });

  it('refuses to send through a stopped (logged out) session with a 409', async () => {
    const sid = await newSession(tenant.key);
    expect((await api.call('POST', `/v1/sessions/${sid}/logout`, { key: tenant.key })).status).toBe(200);
    expect((await send(text('+15551234567'), {}, sid)).status).toBe(409);
  });

  it("another tenant's session is a 404 and nothing is stored", async () => {
    const other = await api.createTenant();
    const reply = await send(text('+15551234567'), {}, sessionId, other.key);
    expect(reply.status).toBe(404);
  });
});

describe('Idempotency-Key', () => {
  it('same key and body: the same answer and exactly one message', async () => {
    const sid = await newSession(tenant.key);
    const key = `k-${newId()}`;
    const first = await send(text('+15551234567', 'once'), { 'idempotency-key': key }, sid);
    const second = await send(text('+15551234567', 'once'), { 'idempotency-key': key }, sid);
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body).toEqual(first.body);
    const all = await api.repos.messages.listBySession(sid);
    expect(all.items.map((m) => m.id)).toEqual([first.body.id]);
  });

  it('same key with another body is a 409', async () => {
    const key = `k-${newId()}`;
    expect((await send(text('+15551234567', 'a'), { 'idempotency-key': key })).status).toBe(202);
    const reply = await send(text('+15551234567', 'b'), { 'idempotency-key': key });
    expect(reply.status).toBe(409);
    expect(reply.body.detail).toContain('Idempotency-Key');
  });

  it('ten racing retries create one message and all get its id', async () => {
    const sid = await newSession(tenant.key);
    const key = `k-${newId()}`;
    const replies = await Promise.all(
      Array.from({ length: 10 }, () => send(text('+15551234567', 'race'), { 'idempotency-key': key }, sid)),
    );
    expect(replies.map((r) => r.status)).toEqual(Array(10).fill(202));
    expect(new Set(replies.map((r) => r.body.id)).size).toBe(1);
    const all = await api.repos.messages.listBySession(sid);
    expect(all.items).toHaveLength(1);
    const chats = await api.repos.chats.listByActivity(sid);
    expect(chats.items).toHaveLength(1);
  });

  it('keys are per tenant, and a malformed key is a 400 naming the header', async () => {
    const other = await api.createTenant();
    const otherSession = await newSession(other.key);
    const key = `k-${newId()}`;
    const mine = await send(text('+15551234567', 'x'), { 'idempotency-key': key });
    const theirs = await send(text('+15551234567', 'x'), { 'idempotency-key': key }, otherSession, other.key);
    expect(theirs.status).toBe(202);
    expect(theirs.body.id).not.toBe(mine.body.id);
    const bad = await send(text('+15551234567'), { 'idempotency-key': 'x'.repeat(300) });
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.[0]?.field).toBe('Idempotency-Key');
  });
});

describe('rate limits', () => {
  it('sends per session: 429 with Retry-After once sendsPerMinute is used up', async () => {
    const limited = await api.createTenant({ sendsPerMinute: 3 });
    const sid = await newSession(limited.key);
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 8; i += 1) {
      const reply = await send(text('+15551234567', `n${i}`), {}, sid, limited.key);
      statuses.push(reply.status);
      if (reply.status === 429) {
        retryAfter = reply.headers.get('retry-after');
        expect(reply.body.type).toMatch(/rate-limited$/);
      }
    }
    // The window slides: no minute edge inside the loop lets more than the limit through.
    expect(statuses.filter((s) => s === 202)).toHaveLength(3);
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    // The hits leave the window 60-70 s after their 10 s slice started.
    expect(Number(retryAfter)).toBeLessThanOrEqual(70);
    const stored = await api.repos.messages.listBySession(sid);
    expect(stored.items).toHaveLength(statuses.filter((s) => s === 202).length);
  });

  it('the whole API per tenant: 429 once requestsPerMinute is used up, other tenants unaffected', async () => {
    const limited = await api.createTenant({ requestsPerMinute: 4 });
    const statuses: number[] = [];
    const remaining: number[] = [];
    for (let i = 0; i < 12; i += 1) {
      const reply = await api.call('GET', '/v1/sessions', { key: limited.key });
      statuses.push(reply.status);
      if (reply.status !== 200) continue;
      // Every answer says where the tenant stands in the window (IETF RateLimit header fields).
      expect(reply.headers.get('ratelimit-limit')).toBe('4');
      const reset = Number(reply.headers.get('ratelimit-reset'));
      expect(reset).toBeGreaterThanOrEqual(1);
      expect(reset).toBeLessThanOrEqual(70);
      remaining.push(Number(reply.headers.get('ratelimit-remaining')));
    }
    // A sliding window: exactly the limit, however the loop falls on minute edges.
    expect(statuses.filter((s) => s === 200)).toHaveLength(4);
    expect(statuses).toContain(429);
    expect(remaining).toEqual([3, 2, 1, 0]);
    expect((await api.call('GET', '/v1/sessions', { key: tenant.key })).status).toBe(200);
  });
});

describe('one transaction: each refusal of the send transaction, and what it leaves', () => {
  it('a 404 (unknown session) and a 429 claim nothing: the same Idempotency-Key then sends elsewhere', async () => {
    const key404 = `k-${newId()}`;
    const unknown = await send(text('+15551234567', 'lost'), { 'idempotency-key': key404 }, newId());
    expect(unknown.status).toBe(404);
    // Had the claim been written, the same key for another session would be a 409 (another request).
    expect((await send(text('+15551234567', 'lost'), { 'idempotency-key': key404 })).status).toBe(202);

    const limited = await api.createTenant({ sendsPerMinute: 1, maxSessions: 2 });
    const [full, free] = [await newSession(limited.key), await newSession(limited.key)];
    expect((await send(text('+15551234567', 'first'), {}, full, limited.key)).status).toBe(202);
    const key429 = `k-${newId()}`;
    const refused = await send(
      text('+15551234567', 'second'),
      { 'idempotency-key': key429 },
      full,
      limited.key,
    );
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await api.repos.messages.listBySession(full)).items).toHaveLength(1);
    const elsewhere = await send(
      text('+15551234567', 'second'),
      { 'idempotency-key': key429 },
      free,
      limited.key,
    );
    expect(elsewhere.status).toBe(202);
  });

  it('a replay is answered 202 with its id while the send window is full, and is not counted', async () => {
    const limited = await api.createTenant({ sendsPerMinute: 2 });
    const sid = await newSession(limited.key);
    const key = `k-${newId()}`;
    const first = await send(text('+15551234567', 'one'), { 'idempotency-key': key }, sid, limited.key);
    expect((await send(text('+15551234567', 'two'), {}, sid, limited.key)).status).toBe(202);
    expect((await send(text('+15551234567', 'three'), {}, sid, limited.key)).status).toBe(429);
    const replay = await send(text('+15551234567', 'one'), { 'idempotency-key': key }, sid, limited.key);
    expect(replay.status).toBe(202);
    expect(replay.body).toEqual(first.body);
    expect((await api.repos.messages.listBySession(sid)).items).toHaveLength(2);
  });

  it('a chat that already shows a newer message keeps its preview; the send is stored all the same', async () => {
    const sid = await newSession(tenant.key);
    const chatJid = phoneToJid('+15551230000');
    const newer = { id: newId(), type: 'text', preview: 'from the future', direction: 'inbound' } as const;
    await api.repos.chats.recordMessage({
      tenantId: tenant.tenantId,
      sessionId: sid,
      chatJid,
      phone: '+15551230000',
      lastMessage: { ...newer, at: nowIso(new Date(Date.now() + 3_600_000)) },
    });
    const reply = await send(text('+15551230000', 'now'), {}, sid);
    expect(reply.status).toBe(202);
    expect((await api.repos.messages.get(sid, reply.body.id))?.status).toBe('queued');
    const chat = await api.repos.chats.get(sid, chatJid);
    expect(chat?.lastMessage.id).toBe(newer.id);
    expect(chat?.unreadCount).toBe(1);
  });
});

describe('history and chats', () => {
  it('pages a chat with a cursor, newest first or oldest first; the session history holds every chat', async () => {
    const sid = await newSession(tenant.key);
    const ann = '+15551110001';
    const bob = '+15551110002';
    const sentToAnn: string[] = [];
    for (let i = 0; i < 5; i += 1) sentToAnn.push((await send(text(ann, `a${i}`), {}, sid)).body.id);
    await send(text(bob, 'b0'), {}, sid);

    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const q = new URLSearchParams({ chat: ann, limit: '2', ...(cursor ? { cursor } : {}) });
      const reply = await api.call<{ items: MessageView[]; cursor?: string }>(
        'GET',
        `/v1/sessions/${sid}/messages?${q}`,
        { key: tenant.key },
      );
      expect(reply.status).toBe(200);
      pages.push(reply.body.items.map((m) => m.id));
      cursor = reply.body.cursor;
    } while (cursor);
    expect(pages.flat()).toEqual([...sentToAnn].reverse());
    expect(pages[0]).toHaveLength(2);

    const oldest = await api.call<{ items: MessageView[] }>(
      'GET',
      `/v1/sessions/${sid}/messages?${new URLSearchParams({ chat: ann, order: 'oldest', limit: '3' })}`,
      { key: tenant.key },
    );
    expect(oldest.body.items.map((m) => m.id)).toEqual(sentToAnn.slice(0, 3));

    const all = await api.call<{ items: MessageView[] }>('GET', `/v1/sessions/${sid}/messages`, {
      key: tenant.key,
    });
    expect(all.body.items).toHaveLength(6);
    expect(all.body.items[0]).not.toHaveProperty('tenantId');

    const badChat = await api.call<Problem>('GET', `/v1/sessions/${sid}/messages?chat=123`, {
      key: tenant.key,
    });
    expect(badChat.status).toBe(400);
    expect(badChat.body.errors?.[0]?.field).toBe('chat');

    // A cursor is bound to its list and filter: another chat, another order, another session is a 400.
    const first = await api.call<{ cursor: string }>(
      'GET',
      `/v1/sessions/${sid}/messages?${new URLSearchParams({ chat: ann, limit: '2' })}`,
      { key: tenant.key },
    );
    const other = await newSession(tenant.key);
    for (const [where, params] of [
      [sid, { chat: bob }],
      [sid, { chat: ann, order: 'oldest' }],
      [sid, {}],
      [other, { chat: ann }],
    ] as const) {
      const q = new URLSearchParams({ ...params, cursor: first.body.cursor });
      const reply = await api.call<Problem>('GET', `/v1/sessions/${where}/messages?${q}`, {
        key: tenant.key,
      });
      expect(reply.status, q.toString()).toBe(400);
      expect(reply.body.errors?.[0]?.field).toBe('cursor');
    }
  });

  it('lists chats by latest activity with unread counts and the last message', async () => {
    const sid = await newSession(tenant.key);
    await send(text('+15552220001', 'to carol'), {}, sid);
    // An inbound message, as a session host would record it.
    const at = nowIso();
    const inbound = await api.repos.messages.create({
      id: newId(),
      tenantId: tenant.tenantId,
      sessionId: sid,
      direction: 'inbound',
      chatJid: phoneToJid('+15552220002'),
      from: { phone: '+15552220002' },
      type: 'text',
      content: { type: 'text', text: { body: 'hi from dave' } },
      status: 'delivered',
      statusHistory: [{ status: 'delivered', at }],
      createdAt: at,
      updatedAt: at,
    });
    await api.repos.chats.recordMessage({
      tenantId: tenant.tenantId,
      sessionId: sid,
      chatJid: inbound.message.chatJid,
      phone: '+15552220002',
      lastMessage: {
        id: inbound.message.id,
        type: 'text',
        preview: 'hi from dave',
        at,
        direction: 'inbound',
      },
    });
    const reply = await api.call<{
      items: { chatJid: string; phone: string; unreadCount: number; lastMessage: { preview: string } }[];
    }>('GET', `/v1/sessions/${sid}/chats`, { key: tenant.key });
    expect(reply.status).toBe(200);
    expect(reply.body.items.map((c) => [c.phone, c.unreadCount, c.lastMessage.preview])).toEqual([
      ['+15552220002', 1, 'hi from dave'],
      ['+15552220001', 0, 'to carol'],
    ]);
    expect(reply.body.items[0]).not.toHaveProperty('tenantId');
  });

  it('a contact known only by LID: its message names {lid}, its chat is ?chat=lid:<digits>', async () => {
    const sid = await newSession(tenant.key);
    const at = nowIso();
    // As a session host stores a message from a contact whose number WhatsApp hides.
    const { message } = await api.repos.messages.create({
      id: newId(),
      tenantId: tenant.tenantId,
      sessionId: sid,
      direction: 'inbound',
      chatJid: '201234567890123@lid',
      from: { lid: '201234567890123' },
      senderJid: '201234567890123@lid',
      type: 'text',
      content: { type: 'text', text: { body: 'number hidden' } },
      status: 'delivered',
      statusHistory: [{ status: 'delivered', at }],
      createdAt: at,
      updatedAt: at,
    });
    const byLid = await api.call<{ items: MessageView[] }>(
      'GET',
      `/v1/sessions/${sid}/messages?chat=lid:201234567890123`,
      { key: tenant.key },
    );
    expect(byLid.status).toBe(200);
    expect(byLid.body.items.map((m) => [m.id, m.from])).toEqual([[message.id, { lid: '201234567890123' }]]);
    const badLid = await api.call<Problem>('GET', `/v1/sessions/${sid}/messages?chat=lid:12ab`, {
      key: tenant.key,
    });
    expect(badLid.status).toBe(400);
  });

  it('reads one message with its status history; another tenant gets a 404', async () => {
    const sent = await send(text('+15553330001', 'track me'));
    await api.repos.messages.advanceStatus(sessionId, sent.body.id, 'sent', {
      at: nowIso(),
      waMessageId: 'WA1',
    });
    await api.repos.messages.advanceStatus(sessionId, sent.body.id, 'read', { at: nowIso() });
    const reply = await api.call<MessageView>('GET', `/v1/sessions/${sessionId}/messages/${sent.body.id}`, {
      key: tenant.key,
    });
    expect(reply.status).toBe(200);
    expect(reply.body.status).toBe('read');
    expect(reply.body.statusHistory.map((h) => h.status)).toEqual(['queued', 'sent', 'read']);

    const other = await api.createTenant();
    const foreign = await api.call('GET', `/v1/sessions/${sessionId}/messages/${sent.body.id}`, {
      key: other.key,
    });
    expect(foreign.status).toBe(404);
    const missing = await api.call('GET', `/v1/sessions/${sessionId}/messages/${newId()}`, {
      key: tenant.key,
    });
    expect(missing.status).toBe(404);
  });
});
