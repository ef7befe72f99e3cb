/**
 * Groups through the whole local product (API, a session host process with real Baileys, the simulator's `w:g2`
 * groups with sender keys, signed webhooks), one stack and one linked account for the file: create a group with
 * two contacts and send it a text and an image that every member device decrypts; a member's phone that lost the
 * group's keys asks for a message again and reads the resend; contacts post, reply and react
 * and the API stores each with its sender; members added, promoted, demoted and removed; subject and settings;
 * invite link, revoke and join by code; WhatsApp's refusals as 403 / 404; leave; a contact removes the account.
 */
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningLocalProduct, startLocalProduct } from '../../local/product.js';
import { ApiClient, eventually } from '../support/api-client.js';
import { type WebhookReceiver, startWebhookReceiver } from '../support/webhook-receiver.js';

const ACCOUNT = '+15550481111';
const ANA = '+15550482222';
const BEN = '+15550483333';
const CAT = '+15550484444';
const digits = (e164: string) => e164.slice(1);
// A 1x1 PNG: the image send.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

interface Group {
  id: string;
  subject: string;
  announce: boolean;
  locked: boolean;
  size: number;
  left?: boolean;
  participants: { phone?: string; lid?: string; role: string }[];
}
interface Envelope {
  type: string;
  data: Record<string, unknown>;
}
interface MessageBody {
  id: string;
  status: string;
  waMessageId?: string;
  direction: string;
  chatJid: string;
  participant?: { phone?: string; lid?: string };
  replyTo?: string;
  content: { type: string; text?: { body: string }; reaction?: { messageId: string; emoji: string } };
}

describe('end to end: groups', () => {
  let product: RunningLocalProduct;
  let api: ApiClient;
  let receiver: WebhookReceiver;
  let secret: string;
  let sessionId: string;
  let groupId = '';

  const sim = () => product.simulator!;
  const path = (rest = '') => `/v1/sessions/${sessionId}${rest}`;
  const groupPath = (id = groupId, rest = '') => path(`/groups/${encodeURIComponent(id)}${rest}`);
  const webhooks = () => {
    const verifier = new Webhook(secret);
    return receiver.received.map((r) => verifier.verify(r.body, r.headers) as Envelope);
  };
  const webhook = (label: string, match: (e: Envelope) => boolean) =>
    eventually(label, async () => webhooks().find(match));
  const history = async (id = groupId) =>
    (await api.get<{ items: MessageBody[] }>(path(`/messages?chat=${encodeURIComponent(id)}&limit=50`))).body
      .items;

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
      events: ['message.received', 'group.updated', 'group.participants', 'group.joined', 'group.left'],
    });
    expect(hook.status).toBe(201);
    secret = hook.body.secret;

    sim().addContact(digits(ANA), 'Ana');
    sim().addContact(digits(BEN), 'Ben');
    sim().addContact(digits(CAT), 'Cat');
    sim().addContactDevice(digits(ANA)); // Ana also uses WhatsApp Web
    sessionId = (await api.post<{ id: string }>('/v1/sessions', { name: 'groups' })).body.id;
    const qr = await eventually('a QR', async () => {
      const r = await api.get<{ qr: string }>(path('/qr'));
      return r.status === 200 ? r.body.qr : undefined;
    });
    expect((await sim().scanQr(qr, digits(ACCOUNT))).outcome).toBe('refreshed');
    const redrawn = await eventually('the re-drawn QR', async () => {
      const r = await api.get<{ qr: string }>(path('/qr'));
      return r.status === 200 && r.body.qr !== qr ? r.body.qr : undefined;
    });
    expect((await sim().scanQr(redrawn, digits(ACCOUNT))).outcome).toBe('paired');
    await eventually('connected', async () =>
      (await api.get<{ status: string }>(path())).body.status === 'connected' ? true : undefined,
    );
  }, 120_000);
  afterAll(async () => {
    await receiver?.close();
    await product?.stop();
  });

  it('creates a group with two contacts; a text and an image to it are decrypted by every member device', async () => {
    const made = await api.post<Group>(path('/groups'), { subject: 'Ops', participants: [ANA, BEN] });
    expect(made.status).toBe(201);
    groupId = made.body.id;
    expect(groupId).toMatch(/^\d+@g\.us$/);
    expect(made.body.participants.map((p) => [p.phone, p.role]).sort()).toEqual(
      [
        [ACCOUNT, 'superadmin'],
        [ANA, 'member'],
        [BEN, 'member'],
      ].sort(),
    );
    expect(sim().groups.get(groupId).subject).toBe('Ops');
    const listed = await api.get<{ items: Group[] }>(path('/groups'));
    expect(listed.body.items.map((g) => g.id)).toEqual([groupId]);

    const text = await api.post<{ id: string }>(path('/messages'), {
      to: groupId,
      type: 'text',
      text: { body: 'hello @15550482222', mentions: [ANA] },
    });
    expect(text.status).toBe(202);
    const upload = (await (
      await fetch(`${api.baseUrl}/v1/media`, {
        method: 'POST',
        headers: { authorization: `Bearer ${api.key}`, 'content-type': 'image/png' },
        body: PNG,
      })
    ).json()) as { id: string };
    const image = await api.post<{ id: string }>(path('/messages'), {
      to: groupId,
      type: 'image',
      image: { mediaId: upload.id, caption: 'the plan' },
    });
    expect(image.status).toBe(202);
    const anaLid = sim().getContact(digits(ANA))!.lid;
    const devices = [anaLid, anaLid.replace('@lid', ':1@lid'), sim().getContact(digits(BEN))!.lid];
    for (const id of [text.body.id, image.body.id]) {
      const sent = await eventually(`message ${id} sent`, async () => {
        const m = (await api.get<MessageBody>(path(`/messages/${id}`))).body;
        return m.waMessageId && m.status !== 'queued' && m.status !== 'sending' ? m : undefined;
      });
      expect(sent.status).not.toBe('failed');
      const record = await eventually(`every member device decrypted ${id}`, async () => {
        const m = sim()
          .groups.messages(groupId)
          .find((x) => x.id === sent.waMessageId);
        return m && devices.every((d) => m.decryptedBy.includes(d)) ? m : undefined;
      });
      expect(record.undecryptable).toEqual([]);
      // Both members' phones reported it delivered, so the group's rolled-up status is delivered. Members that
      // answer at once are folded into the send's own upsert by Baileys' event buffer (receipts.ts reads them).
      await eventually(`message ${id} delivered`, async () => {
        const m = (await api.get<MessageBody>(path(`/messages/${id}`))).body;
        return m.status === 'delivered' ? m : undefined;
      });
    }
    expect(
      sim()
        .groups.messages(groupId)
        .find((m) => m.text?.startsWith('hello'))?.text,
    ).toBe('hello @15550482222');
  });

  it('a member’s phone that lost the group’s keys asks again; the host’s resend reaches it', async () => {
    expect(sim().groups.forgetSenderKeys(groupId, digits(BEN))).toBeGreaterThan(0);
    const text = await api.post<{ id: string }>(path('/messages'), {
      to: groupId,
      type: 'text',
      text: { body: 'after Ben reinstalled' },
    });
    expect(text.status).toBe(202);
    const benLid = sim().getContact(digits(BEN))!.lid;
    const sent = await eventually('the message sent', async () => {
      const m = (await api.get<MessageBody>(path(`/messages/${text.body.id}`))).body;
      return m.waMessageId ? m : undefined;
    });
    const record = await eventually('Ben decrypted the resend', async () => {
      const m = sim()
        .groups.messages(groupId)
        .find((x) => x.id === sent.waMessageId);
      return m?.decryptedBy.includes(benLid) ? m : undefined;
    });
    expect(record.retries).toEqual({ [benLid]: 1 });
    expect(record.resends).toBe(1);
    expect(record.undecryptable).toEqual([]);
    // Every other member has it too, so the group's rolled-up status reaches delivered.
    await eventually('delivered', async () => {
      const m = (await api.get<MessageBody>(path(`/messages/${text.body.id}`))).body;
      return m.status === 'delivered' || m.status === 'read' ? m : undefined;
    });
  });

  it('a contact posts, replies and reacts; the API stores and publishes each with its sender', async () => {
    const posted = await sim().groups.post(groupId, digits(ANA), { text: 'from Ana', fromDevice: 1 });
    const replied = await sim().groups.post(groupId, digits(BEN), { text: 're: Ana', replyTo: posted.id });
    await sim().groups.post(groupId, digits(BEN), { reaction: { messageId: posted.id, emoji: '👍' } });
    const stored = await eventually('the three in the group history', async () => {
      const items = await history();
      const byWa = (id: string) => items.find((m) => m.waMessageId === id);
      const reaction = items.find((m) => m.content.type === 'reaction');
      return byWa(posted.id) && byWa(replied.id) && reaction ? { items, byWa, reaction } : undefined;
    });
    const fromAna = stored.byWa(posted.id)!;
    expect(fromAna).toMatchObject({
      direction: 'inbound',
      chatJid: groupId,
      content: { text: { body: 'from Ana' } },
    });
    expect(fromAna.participant?.phone).toBe(ANA);
    expect(stored.byWa(replied.id)).toMatchObject({ participant: { phone: BEN }, replyTo: fromAna.id });
    expect(stored.reaction).toMatchObject({
      participant: { phone: BEN },
      content: { reaction: { messageId: fromAna.id, emoji: '👍' } },
    });
    const event = await webhook('message.received of Ana’s post', (e) => {
      const m = e.data.message as { waMessageId?: string } | undefined;
      return e.type === 'message.received' && m?.waMessageId === posted.id;
    });
    expect(event.data.message).toMatchObject({ groupId, participant: { phone: ANA } });
    const chats = await api.get<{ items: { chatJid: string; name?: string }[] }>(path('/chats'));
    expect(chats.body.items.find((c) => c.chatJid === groupId)?.name).toBe('Ops');
  });

  it('adds, promotes, demotes and removes a member: results per member, stored, and the events fire', async () => {
    const members = (action: string, phones: string[]) =>
      api.post<{ results: { phone?: string; status: string; code: number }[]; group?: Group }>(
        groupPath(groupId, '/participants'),
        { action, participants: phones },
      );
    const added = await members('add', [CAT, ANA]);
    expect(added.status).toBe(200);
    expect(added.body.results.map((r) => [r.phone, r.status])).toEqual([
      [CAT, 'ok'],
      [ANA, 'failed'],
    ]);
    expect(added.body.results[1]?.code).toBe(409);
    expect((await members('promote', [ANA])).body.results[0]?.status).toBe('ok');
    expect((await members('demote', [ANA])).body.results[0]?.status).toBe('ok');
    expect((await members('remove', [CAT])).body.results[0]?.status).toBe('ok');
    expect(
      sim()
        .groups.get(groupId)
        .participants.map((p) => `+${p.phone}`)
        .sort(),
    ).toEqual([ACCOUNT, ANA, BEN].sort());

    // A contact made admin changes members too: the session sees it, with who did it.
    await members('promote', [ANA]);
    sim().groups.participants(groupId, digits(ANA), 'add', [digits(CAT)]);
    const byAna = await webhook('group.participants added by Ana', (e) => {
      const by = e.data.by as { phone?: string } | undefined;
      return e.type === 'group.participants' && e.data.action === 'added' && by?.phone === ANA;
    });
    expect(byAna.data).toMatchObject({ groupId, participants: [{ phone: CAT }] });
    const stored = await eventually('Cat in the stored group', async () => {
      const g = (await api.get<Group>(groupPath())).body;
      return g.participants.some((p) => p.phone === CAT) ? g : undefined;
    });
    expect(stored.participants.find((p) => p.phone === ANA)?.role).toBe('admin');
  });

  it('changes the subject and settings; a contact’s change is published with its author', async () => {
    const patched = await api.call<Group>('PATCH', groupPath(), {
      subject: 'Ops team',
      announce: true,
      locked: true,
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ subject: 'Ops team', announce: true, locked: true });
    expect(sim().groups.get(groupId)).toMatchObject({ subject: 'Ops team', announce: true, locked: true });

    sim().groups.setting(groupId, digits(ANA), { subject: 'Ops crew' });
    const updated = await webhook(
      'group.updated by Ana',
      (e) => e.type === 'group.updated' && (e.data.changes as { subject?: string }).subject === 'Ops crew',
    );
    expect(updated.data.by).toMatchObject({ phone: ANA });
    await eventually('the stored subject', async () =>
      (await api.get<Group>(groupPath())).body.subject === 'Ops crew' ? true : undefined,
    );
  });

  it('invite link, revoke, join by code; 403 and 404 from WhatsApp; leave', async () => {
    const invite = await api.get<{ code: string; link: string }>(groupPath(groupId, '/invite'));
    expect(invite.body.code).toBe(sim().groups.get(groupId).inviteCode);
    expect(invite.body.link).toBe(`https://chat.whatsapp.com/${invite.body.code}`);
    const revoked = await api.post<{ code: string }>(groupPath(groupId, '/invite/revoke'));
    expect(revoked.body.code).not.toBe(invite.body.code);
    expect(sim().groups.get(groupId).inviteCode).toBe(revoked.body.code);

    // Ben's group: the account joins by its link, as a plain member.
    const bens = sim().groups.create(digits(BEN), 'Ben’s club', [digits(CAT)]);
    const code = sim().groups.inviteCode(bens.id, digits(BEN));
    const joined = await api.post<{ id: string; joined: boolean; group?: Group }>(path('/groups/join'), {
      link: `https://chat.whatsapp.com/${code}`,
    });
    expect(joined.status).toBe(200);
    expect(joined.body).toMatchObject({ id: bens.jid, joined: true, group: { subject: 'Ben’s club' } });
    const stale = await api.post<{ status: number }>(path('/groups/join'), { code: invite.body.code });
    expect(stale.status).toBe(404);

    // Not an admin there: WhatsApp refuses, the API says so with WhatsApp's reason.
    sim().groups.setting(bens.id, digits(BEN), { locked: true });
    const refused = await api.call<{ detail: string }>('PATCH', groupPath(bens.jid), { subject: 'Mine now' });
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toMatch(/admin/);
    const unknown = await api.get<{ detail: string }>(`${groupPath('120363999999999999@g.us')}?refresh=true`);
    expect(unknown.status).toBe(404);

    const left = await api.post<{ left: boolean }>(groupPath(bens.jid, '/leave'));
    expect(left.body).toEqual({ id: bens.jid, left: true });
    expect(
      sim()
        .groups.get(bens.id)
        .participants.map((p) => p.phone),
    ).not.toContain(digits(ACCOUNT));
    expect((await api.get<Group>(groupPath(bens.jid))).body.left).toBe(true);
  });

  it('a contact removes the account: the session sees it (group.left, stored left)', async () => {
    sim().groups.participants(groupId, digits(ANA), 'remove', [digits(ACCOUNT)]);
    const left = await webhook('group.left', (e) => e.type === 'group.left' && e.data.groupId === groupId);
    expect(left.data).toMatchObject({ reason: 'removed', by: { phone: ANA } });
    await eventually('stored as left', async () =>
      (await api.get<Group>(groupPath())).body.left === true ? true : undefined,
    );
  });
});
