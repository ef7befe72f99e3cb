/**
 * The group routes through the real local gateway, DynamoDB Local and SQS: a test host owns the session and
 * answers each host request as a session host would (the WhatsApp side and Baileys are the e2e test's,
 * test/e2e/groups.test.ts). Shows what the API does with the answers: the groups table (listing without asking
 * the host), WhatsApp's refusals as 404 / 403, WhatsApp's member limit as a 400 before the host is asked, one
 * result per member, another tenant's session as 404, group chats named by their subject.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoHostReplyStore } from '../../../../shared/adapters/dynamodb/host-reply-store.js';
import type { HostCommandOf } from '../../../../shared/contracts/host-command.js';
import type { HostReply, HostRequest } from '../../../../shared/contracts/host-request.js';
import type { GroupInfo } from '../../../../shared/domain/group.js';
import { newId } from '../../../../shared/domain/ids.js';
import { startApi, type ApiHarness, type TenantHandle } from './support.js';

type Problem = {
  status: number;
  detail: string;
  errors?: { field?: string; pointer?: string; location?: string }[];
};

const GROUP = '120363000000000001@g.us';
const ALICE = '+15550700001';
const BOB = '+15550700002';

let api: ApiHarness;
let tenant: TenantHandle;
let sessionId: string;
let host: TestHost;

/** Stands in for the owner host: takes the lease, answers each host request with `answer`, counts them. */
class TestHost {
  readonly asked: HostRequest[] = [];
  answer: (request: HostRequest) => HostReply = () => ({
    ok: false,
    error: { code: 'whatsapp-error', message: 'no answer scripted' },
  });
  private readonly abort = new AbortController();
  private loop: Promise<void> = Promise.resolve();

  constructor(
    private readonly queueUrl: string,
    private readonly replies: DynamoHostReplyStore,
  ) {}

  start(): void {
    this.loop = this.serve();
  }

  private async serve(): Promise<void> {
    while (!this.abort.signal.aborted) {
      const received = await api.hostQueues
        .receive(this.queueUrl, { max: 10, waitSeconds: 1, signal: this.abort.signal })
        .catch(() => []);
      for (const r of received) {
        await r.ack();
        if (r.command.type !== 'host.request') continue;
        await this.reply(r.command);
      }
    }
  }

  private async reply(command: HostCommandOf<'host.request'>): Promise<void> {
    this.asked.push(command.request);
    await this.replies.put(command.requestId, command.sessionId, this.answer(command.request), 300);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }
}

const info = (overrides: Partial<GroupInfo> = {}): GroupInfo => ({
  id: GROUP,
  subject: 'Ops team',
  announce: false,
  locked: false,
  joinApproval: false,
  size: 3,
  participants: [
    { phone: '+15550700000', lid: '100000000000001', role: 'superadmin' },
    { phone: ALICE, role: 'member' },
    { lid: '100000000000002', role: 'member' },
  ],
  ...overrides,
});

const call = <T>(method: string, path: string, body?: unknown, key = tenant.key) =>
  api.call<T & Problem>(method, `/v1/sessions/${sessionId}${path}`, {
    key,
    ...(body === undefined ? {} : { body }),
  });
const groupPath = (id = GROUP) => `/groups/${encodeURIComponent(id)}`;

beforeAll(async () => {
  api = await startApi({ env: { APP_HOST_REQUEST_WAIT_MS: '4000' } });
  tenant = await api.createTenant({ maxSessions: 10, requestsPerMinute: 10_000 });
  const created = await api.call<{ id: string }>('POST', '/v1/sessions', { key: tenant.key, body: {} });
  sessionId = created.body.id;
  const hostId = `h${newId().toLowerCase().slice(-10)}`;
  const queueUrl = await api.hostQueues.create(hostId);
  await api.repos.sessions.claim(sessionId, hostId, 600_000, Date.now());
  await api.repos.sessions.updateStatus(sessionId, 'connected');
  host = new TestHost(queueUrl, new DynamoHostReplyStore({ dynamo: api.clients.dynamo, config: api.config }));
  host.start();
}, 120_000);
afterAll(async () => {
  await host?.stop();
  await api?.stop();
});

describe('groups through the API', () => {
  it('creates a group, stores it, and lists and reads it without asking the host again', async () => {
    host.answer = (request) =>
      request.kind === 'groups.create'
        ? { ok: true, result: info({ subject: request.subject }) }
        : { ok: false, error: { code: 'whatsapp-error', message: 'unexpected' } };
    const made = await call<GroupInfo & { sessionId: string }>('POST', '/groups', {
      subject: 'Ops team',
      participants: [ALICE, BOB, ALICE],
    });
    expect(made.status).toBe(201);
    expect(made.headers.get('location')).toBe(`/v1/sessions/${sessionId}/groups/${GROUP}`);
    expect(made.body).toMatchObject({ id: GROUP, subject: 'Ops team', sessionId, size: 3 });
    // The host was asked with jids, each member once.
    expect(host.asked.at(-1)).toEqual({
      kind: 'groups.create',
      subject: 'Ops team',
      participants: ['15550700001@s.whatsapp.net', '15550700002@s.whatsapp.net'],
    });

    const asked = host.asked.length;
    const list = await call<{ items: Record<string, unknown>[] }>('GET', '/groups');
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({ id: GROUP, subject: 'Ops team', size: 3 });
    expect(list.body.items[0]).not.toHaveProperty('participants');
    const one = await call<GroupInfo>('GET', groupPath());
    expect(one.body.participants).toEqual(info().participants);
    expect(host.asked.length).toBe(asked);
  });

  it('WhatsApp’s refusals: 403 with its reason when not an admin, 404 for a group it does not know', async () => {
    host.answer = (request) =>
      request.kind === 'groups.update'
        ? { ok: false, error: { code: 'whatsapp-error', message: 'not-authorized', waCode: 403 } }
        : { ok: false, error: { code: 'whatsapp-error', message: 'item-not-found', waCode: 404 } };
    const patched = await call('PATCH', groupPath(), { locked: true });
    expect(patched.status).toBe(403);
    expect(patched.body.detail).toMatch(/admin.*403 not-authorized/);

    const unknown = await call('GET', groupPath('120363999999999999@g.us'));
    expect(unknown.status).toBe(404);
    expect(unknown.body.detail).toMatch(/120363999999999999@g\.us.*item-not-found/);
  });

  it('one result per member, and the group as WhatsApp tells it after the change', async () => {
    host.answer = (request) =>
      request.kind === 'groups.participants'
        ? {
            ok: true,
            result: {
              results: [
                { member: { phone: BOB, lid: '100000000000003' }, code: 200 },
                { member: { phone: '+15550700003' }, code: 403 },
                { member: { phone: ALICE }, code: 409 },
              ],
              group: info({
                size: 4,
                participants: [...info().participants, { phone: BOB, role: 'member' }],
              }),
            },
          }
        : { ok: false, error: { code: 'whatsapp-error', message: 'unexpected' } };
    const added = await call<{ results: Record<string, unknown>[]; group: GroupInfo }>(
      'POST',
      `${groupPath()}/participants`,
      { action: 'add', participants: [BOB, '+15550700003', ALICE] },
    );
    expect(added.status).toBe(200);
    expect(added.body.results).toEqual([
      { phone: BOB, lid: '100000000000003', status: 'ok', code: 200 },
      {
        phone: '+15550700003',
        status: 'failed',
        code: 403,
        reason: 'the member’s privacy settings require an invite link',
      },
      { phone: ALICE, status: 'failed', code: 409, reason: 'already a member of the group' },
    ]);
    expect((await call<GroupInfo>('GET', groupPath())).body.size).toBe(4);
  });

  it('400 naming the field: past WhatsApp’s 1024 members (before asking the host), a bad group id, no change', async () => {
    const asked = host.asked.length;
    const many = Array.from({ length: 1024 }, (_, i) => `+1555${String(1_000_000 + i)}`);
    const create = await call('POST', '/groups', { subject: 'Too big', participants: many });
    expect(create.status).toBe(400);
    expect(create.body.errors?.[0]).toMatchObject({ pointer: '/participants' });

    await api.repos.groups.put(
      tenant.tenantId,
      sessionId,
      info({ id: '120363000000000002@g.us', size: 1020 }),
      new Date().toISOString(),
    );
    const full = await call('POST', `${groupPath('120363000000000002@g.us')}/participants`, {
      action: 'add',
      participants: many.slice(0, 5),
    });
    expect(full.status).toBe(400);
    expect(full.body.errors?.[0]).toMatchObject({ pointer: '/participants' });
    expect(full.body.detail).toMatch(/1024/);
    expect(host.asked.length).toBe(asked);

    const badId = await call('GET', '/groups/friends');
    expect(badId.status).toBe(400);
    expect(badId.body.errors?.[0]).toMatchObject({ location: 'path', field: 'groupId' });
    const nothing = await call('PATCH', groupPath(), {});
    expect(nothing.status).toBe(400);
    const longSubject = await call('PATCH', groupPath(), { subject: 'x'.repeat(101) });
    expect(longSubject.status).toBe(400);
    expect(longSubject.body.errors?.[0]).toMatchObject({ pointer: '/subject' });
  });

  it('another tenant’s session and group are 404, and the host is not asked', async () => {
    const other = await api.createTenant();
    const asked = host.asked.length;
    for (const [method, path] of [
      ['GET', '/groups'],
      ['GET', groupPath()],
      ['POST', `${groupPath()}/leave`],
      ['GET', `${groupPath()}/invite`],
    ] as const) {
      const reply = await call(method, path, undefined, other.key);
      expect(reply.status, `${method} ${path}`).toBe(404);
    }
    expect(host.asked.length).toBe(asked);
  });

  it('invite link, leave (the stored group stays, marked left), and group chats named by the subject', async () => {
    host.answer = (request) => {
      if (request.kind === 'groups.invite')
        return { ok: true, result: { code: request.revoke ? 'NewCode456' : 'AbCdEf123' } };
      if (request.kind === 'groups.leave') return { ok: true, result: { left: true } };
      return { ok: false, error: { code: 'whatsapp-error', message: 'unexpected' } };
    };
    const invite = await call('GET', `${groupPath()}/invite`);
    expect(invite.body).toEqual({ code: 'AbCdEf123', link: 'https://chat.whatsapp.com/AbCdEf123' });
    const revoked = await call('POST', `${groupPath()}/invite/revoke`);
    expect(revoked.body).toEqual({ code: 'NewCode456', link: 'https://chat.whatsapp.com/NewCode456' });

    const at = new Date().toISOString();
    await api.repos.chats.recordMessage({
      tenantId: tenant.tenantId,
      sessionId,
      chatJid: GROUP,
      lastMessage: { id: newId(), type: 'text', preview: 'hello all', at, direction: 'inbound' },
    });
    const chats = await call<{ items: { chatJid: string; name?: string }[] }>('GET', '/chats');
    expect(chats.body.items.find((c) => c.chatJid === GROUP)?.name).toBe('Ops team');

    const left = await call('POST', `${groupPath()}/leave`);
    expect(left.body).toEqual({ id: GROUP, left: true });
    expect((await call<{ left?: boolean }>('GET', groupPath())).body.left).toBe(true);
  });
});
