/**
 * `POST .../messages/{messageId}/edit` and `.../revoke`, and the poll send body, through the real local gateway
 * and DynamoDB: what is queued, and every refusal with its status and problem type. The host side (WhatsApp
 * accepting the action, the target changing) is proven on the simulator in
 * test/component/session-host/messaging/actions.test.ts and test/e2e/message-actions.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId, nowIso } from '../../../../shared/domain/ids.js';
import type { Message } from '../../../../shared/domain/message.js';
import { phoneToJid } from '../../../../shared/domain/phone.js';
import { startApi, type ApiHarness, type TenantHandle } from './support.js';

type Problem = { type: string; status: number; detail: string; errors?: { pointer?: string }[] };

const TO = '+15553470001';
let api: ApiHarness;
let tenant: TenantHandle;
let sessionId: string;

beforeAll(async () => {
  api = await startApi();
  tenant = await api.createTenant({ maxSessions: 10, sendsPerMinute: 1000, requestsPerMinute: 10_000 });
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

/** A message as a host leaves it: ours `sent` `ageMs` ago, or the contact's. */
async function stored(
  direction: 'outbound' | 'inbound',
  options: { ageMs?: number; sid?: string; status?: Message['status']; tenantId?: string } = {},
): Promise<Message> {
  const at = nowIso(new Date(Date.now() - (options.ageMs ?? 1000)));
  const status = options.status ?? (direction === 'outbound' ? 'sent' : 'delivered');
  const { message } = await api.repos.messages.create({
    id: newId(),
    tenantId: options.tenantId ?? tenant.tenantId,
    sessionId: options.sid ?? sessionId,
    direction,
    chatJid: phoneToJid(TO),
    ...(direction === 'outbound' ? { to: TO } : { from: { phone: TO }, senderJid: phoneToJid(TO) }),
    type: 'text',
    content: { type: 'text', text: { body: 'original' } },
    status,
    statusHistory:
      status === 'queued'
        ? [{ status: 'queued', at }]
        : direction === 'outbound'
          ? [
              { status: 'queued', at },
              { status, at },
            ]
          : [{ status, at }],
    ...(status === 'queued' ? {} : { waMessageId: `3EB0${newId().slice(-18)}` }),
    createdAt: at,
    updatedAt: at,
  });
  return message;
}

const action = (
  kind: 'edit' | 'revoke',
  messageId: string,
  body?: unknown,
  options: { key?: string; sid?: string; headers?: Record<string, string> } = {},
) =>
  api.call<{ id: string; status: string } & Problem>(
    'POST',
    `/v1/sessions/${options.sid ?? sessionId}/messages/${messageId}/${kind}`,
    {
      key: options.key ?? tenant.key,
      ...(body === undefined ? {} : { body }),
      headers: options.headers ?? {},
    },
  );

describe('edit and revoke', () => {
  it('an edit of our text is queued as an edit record; the chat preview is left alone', async () => {
    const target = await stored('outbound');
    const latest = await api.call('POST', `/v1/sessions/${sessionId}/messages`, {
      key: tenant.key,
      body: { to: TO, type: 'text', text: { body: 'latest line' } },
    });
    expect(latest.status).toBe(202);
    const chatBefore = await api.repos.chats.get(sessionId, phoneToJid(TO));
    expect(chatBefore?.lastMessage.preview).toBe('latest line');
    const reply = await action('edit', target.id, { text: 'corrected' });
    expect(reply.status).toBe(202);
    expect(reply.body).toEqual({ id: expect.any(String), status: 'queued' });
    expect(await api.repos.messages.get(sessionId, reply.body.id)).toMatchObject({
      direction: 'outbound',
      type: 'edit',
      content: { type: 'edit', edit: { messageId: target.id, body: 'corrected' } },
      to: TO,
      chatJid: phoneToJid(TO),
      status: 'queued',
    });
    expect((await api.repos.messages.listQueued(sessionId)).map((m) => m.id)).toContain(reply.body.id);
    expect((await api.repos.chats.get(sessionId, phoneToJid(TO)))?.lastMessage).toEqual(
      chatBefore?.lastMessage,
    );
  });

  it('a revoke of our message is queued; a retry with the same Idempotency-Key gets the same id', async () => {
    const target = await stored('outbound');
    const headers = { 'idempotency-key': `revoke-${target.id}` };
    const first = await action('revoke', target.id, undefined, { headers });
    const again = await action('revoke', target.id, undefined, { headers });
    expect(first.status).toBe(202);
    expect(again.body.id).toBe(first.body.id);
    expect(await api.repos.messages.get(sessionId, first.body.id)).toMatchObject({
      type: 'revoke',
      content: { type: 'revoke', revoke: { messageId: target.id } },
    });
  });

  it('bad edit bodies are 400s naming the field', async () => {
    const target = await stored('outbound');
    for (const body of [{}, { text: '   ' }, { text: 5 }, { text: 'x'.repeat(4097) }]) {
      const reply = await action('edit', target.id, body);
      expect(reply.status).toBe(400);
      expect(reply.body.errors?.map((e) => e.pointer)).toContain('/text');
    }
    const extra = await action('edit', target.id, { text: 'ok', body: 'no' });
    expect(extra.status).toBe(400);
    expect(extra.body.errors?.map((e) => e.pointer)).toContain('/body');
    expect((await action('edit', 'not-an-id', { text: 'ok' })).status).toBe(400);
  });

  it("past WhatsApp's 15 minutes an edit is a 409 edit-window-passed; a revoke still goes", async () => {
    const old = await stored('outbound', { ageMs: 16 * 60 * 1000 });
    const reply = await action('edit', old.id, { text: 'too late' });
    expect(reply.status).toBe(409);
    expect(reply.body.type).toMatch(/\/edit-window-passed$/);
    expect((await action('revoke', old.id)).status).toBe(202);
  });

  it("the contact's message is a 409 not-own-message, for an edit and a revoke", async () => {
    const theirs = await stored('inbound');
    for (const kind of ['edit', 'revoke'] as const) {
      const reply = await action(kind, theirs.id, kind === 'edit' ? { text: 'mine now' } : undefined);
      expect(reply.status).toBe(409);
      expect(reply.body.type).toMatch(/\/not-own-message$/);
    }
  });

  it('a message not sent yet, or already revoked, is a 409 message-not-actionable', async () => {
    const queued = await stored('outbound', { status: 'queued' });
    expect((await action('edit', queued.id, { text: 'x' })).body.type).toMatch(/\/message-not-actionable$/);
    const gone = await stored('outbound');
    await api.repos.messages.replaceContent(
      {
        ...gone,
        type: 'revoked',
        content: { type: 'revoked', revoked: { previousType: 'text' } },
        revoked: true,
        updatedAt: nowIso(),
      },
      gone.updatedAt,
    );
    const reply = await action('revoke', gone.id);
    expect(reply.status).toBe(409);
    expect(reply.body.type).toMatch(/\/message-not-actionable$/);
  });

  it("another tenant's message is a 404, through its own session or the owner's", async () => {
    const target = await stored('outbound');
    const other = await api.createTenant();
    const otherSession = await newSession(other.key);
    for (const sid of [sessionId, otherSession]) {
      const reply = await action('edit', target.id, { text: 'hijack' }, { key: other.key, sid });
      expect(reply.status).toBe(404);
      expect((await action('revoke', target.id, undefined, { key: other.key, sid })).status).toBe(404);
    }
    expect((await action('edit', newId(), { text: 'x' })).status).toBe(404);
    expect((await api.repos.messages.get(sessionId, target.id))?.content).toEqual({
      type: 'text',
      text: { body: 'original' },
    });
  });

  it("edits and revokes count against the session's sends per minute (429)", async () => {
    const limited = await api.createTenant({ sendsPerMinute: 2, requestsPerMinute: 10_000 });
    const sid = await newSession(limited.key);
    const target = await stored('outbound', { sid, tenantId: limited.tenantId });
    const send = await api.call('POST', `/v1/sessions/${sid}/messages`, {
      key: limited.key,
      body: { to: TO, type: 'text', text: { body: 'one' } },
    });
    expect(send.status).toBe(202);
    expect((await action('edit', target.id, { text: 'two' }, { key: limited.key, sid })).status).toBe(202);
    const refused = await action('revoke', target.id, undefined, { key: limited.key, sid });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});

describe('poll sends', () => {
  const poll = (p: unknown) =>
    api.call<{ id: string } & Problem>('POST', `/v1/sessions/${sessionId}/messages`, {
      key: tenant.key,
      body: { to: TO, type: 'poll', poll: p },
    });

  it('a poll is stored with empty tallies; the chat preview is its question', async () => {
    const reply = await poll({ name: 'Lunch?', options: ['Pizza', 'Sushi'], selectableCount: 2 });
    expect(reply.status).toBe(202);
    expect((await api.repos.messages.get(sessionId, reply.body.id))?.content).toEqual({
      type: 'poll',
      poll: {
        name: 'Lunch?',
        options: [
          { name: 'Pizza', count: 0, voters: [] },
          { name: 'Sushi', count: 0, voters: [] },
        ],
        selectableCount: 2,
      },
    });
    expect((await api.repos.chats.get(sessionId, phoneToJid(TO)))?.lastMessage.preview).toBe('Lunch?');
  });

  it.each([
    ['one option', { name: 'Q', options: ['a'] }, '/poll/options'],
    ['repeated options', { name: 'Q', options: ['a', 'b', 'a'] }, '/poll/options/2'],
    ['13 options', { name: 'Q', options: [...'abcdefghijklm'] }, '/poll/options'],
    [
      'more choices than options',
      { name: 'Q', options: ['a', 'b'], selectableCount: 3 },
      '/poll/selectableCount',
    ],
    ['no name', { options: ['a', 'b'] }, '/poll/name'],
  ])('%s is a 400 naming the field', async (_what, body, pointer) => {
    const reply = await poll(body);
    expect(reply.status).toBe(400);
    expect(reply.body.errors?.map((e) => e.pointer)).toContain(pointer);
  });
});
