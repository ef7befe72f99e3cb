import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { physicalTableName } from '../../../../shared/definitions/tables.js';
import { newId } from '../../../../shared/domain/ids.js';
import type { HostCommand } from '../../../../shared/contracts/host-command.js';
import { startApi, type ApiHarness, type TenantHandle } from './support.js';

type Problem = { type: string; status: number; detail: string };
type SessionView = { id: string; name?: string; status: string; desired: string; createdAt: string };

let api: ApiHarness;
let tenant: TenantHandle;
let other: TenantHandle;

beforeAll(async () => {
  api = await startApi();
  [tenant, other] = await Promise.all([api.createTenant({ maxSessions: 20 }), api.createTenant()]);
}, 120_000);
afterAll(async () => {
  await api?.stop();
});

async function newSession(key = tenant.key, name?: string): Promise<SessionView> {
  const reply = await api.call<SessionView>('POST', '/v1/sessions', {
    key,
    ...(name === undefined ? {} : { body: { name } }),
  });
  expect(reply.status).toBe(201);
  return reply.body;
}

/** Stands in for a session host: takes the lease and opens its command queue. */
async function ownAs(sessionId: string): Promise<{ hostId: string; queueUrl: string }> {
  const hostId = `h${newId().toLowerCase().slice(-10)}`;
  const queueUrl = await api.hostQueues.create(hostId);
  const claimed = await api.repos.sessions.claim(sessionId, hostId, 60_000, Date.now());
  expect(claimed?.owner).toBe(hostId);
  return { hostId, queueUrl };
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

/** Credentials as a host leaves them: per-key items in the table, and a legacy object not yet migrated. */
async function putCredentials(sessionId: string): Promise<string> {
  const Key = `sessions/${sessionId}/creds.bin`;
  await api.clients.s3.send(
    new PutObjectCommand({ Bucket: api.config.APP_CREDENTIALS_BUCKET, Key, Body: Buffer.from('secret') }),
  );
  for (const itemKey of ['dataKey', 'creds', 'session#15551234567.0']) {
    await api.clients.dynamo.send(
      new PutCommand({
        TableName: credentialsTable(),
        Item: { sessionId, itemKey, v: Buffer.from('sealed') },
      }),
    );
  }
  return Key;
}

const credentialsTable = () => physicalTableName(api.config.APP_RESOURCE_PREFIX, 'credentials');

async function credentialItems(sessionId: string): Promise<number> {
  const out = await api.clients.dynamo.send(
    new QueryCommand({
      TableName: credentialsTable(),
      KeyConditionExpression: 'sessionId = :s',
      ExpressionAttributeValues: { ':s': sessionId },
      ConsistentRead: true,
    }),
  );
  return out.Items?.length ?? 0;
}

async function exists(Key: string): Promise<boolean> {
  try {
    await api.clients.s3.send(new GetObjectCommand({ Bucket: api.config.APP_CREDENTIALS_BUCKET, Key }));
    return true;
  } catch {
    return false;
  }
}

describe('create, list, read', () => {
  it('creates a session desired running, starting, unowned; with or without a name', async () => {
    const named = await newSession(tenant.key, 'support line');
    expect(named).toMatchObject({ name: 'support line', status: 'starting', desired: 'running' });
    expect(named).not.toHaveProperty('owner');
    expect(named).not.toHaveProperty('tenantId');
    const stored = await api.repos.sessions.getById(named.id);
    expect(stored).toMatchObject({ tenantId: tenant.tenantId, leaseUntil: 0, desired: 'running' });
    const unnamed = await newSession();
    expect(unnamed.name).toBeUndefined();

    const read = await api.call<SessionView>('GET', `/v1/sessions/${named.id}`, { key: tenant.key });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(named);
  });

  it("lists with cursor pagination, only the caller's sessions", async () => {
    const mine = new Set<string>();
    for (let i = 0; i < 3; i += 1) mine.add((await newSession()).id);
    const foreign = await newSession(other.key);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const reply = await api.call<{ items: SessionView[]; cursor?: string }>(
        'GET',
        `/v1/sessions?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        { key: tenant.key },
      );
      expect(reply.status).toBe(200);
      expect(reply.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...reply.body.items.map((s) => s.id));
      cursor = reply.body.cursor;
    } while (cursor);
    for (const id of mine) expect(seen).toContain(id);
    expect(seen).not.toContain(foreign.id);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('refuses a cursor of another list with a 400 naming it', async () => {
    const reply = await api.call<{ errors: { field: string }[] }>('GET', '/v1/sessions?cursor=abc', {
      key: tenant.key,
    });
    expect(reply.status).toBe(400);
    expect(reply.body.errors[0]?.field).toBe('cursor');
  });

  it("another tenant's session is a 404 on every session route", async () => {
    const session = await newSession(other.key);
    const base = `/v1/sessions/${session.id}`;
    const attempts: [string, string, unknown?][] = [
      ['GET', base],
      ['GET', `${base}/qr`],
      ['POST', `${base}/pairing-code`, { phone: '+15551234567' }],
      ['POST', `${base}/logout`],
      ['DELETE', base],
      ['GET', `${base}/messages`],
      ['GET', `${base}/chats`],
      ['POST', `${base}/messages`, { to: '+15551234567', type: 'text', text: { body: 'hi' } }],
    ];
    for (const [method, path, body] of attempts) {
      const reply = await api.call<Problem>(method, path, { key: tenant.key, body });
      expect(reply.status, `${method} ${path}`).toBe(404);
    }
    expect((await api.repos.sessions.getById(session.id))?.desired).toBe('running');
  });

  it('enforces the tenant quota (maxSessions) with a 403 quota-exceeded problem', async () => {
    const small = await api.createTenant({ maxSessions: 2 });
    await newSession(small.key);
    await newSession(small.key);
    const third = await api.call<Problem>('POST', '/v1/sessions', { key: small.key, body: {} });
    expect(third.status).toBe(403);
    expect(third.body.type).toMatch(/quota-exceeded$/);
  });

  it('creates racing for the last places get exactly the quota; a delete gives a place back', async () => {
    const small = await api.createTenant({ maxSessions: 3 });
    const replies = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        api.call<{ id: string }>('POST', '/v1/sessions', { key: small.key, body: { name: `race ${i}` } }),
      ),
    );
    const created = replies.filter((r) => r.status === 201);
    expect(created).toHaveLength(3);
    expect(replies.filter((r) => r.status === 403)).toHaveLength(5);
    const listed = await api.call<{ items: unknown[] }>('GET', '/v1/sessions', { key: small.key });
    expect(listed.body.items).toHaveLength(3);

    const gone = await api.call('DELETE', `/v1/sessions/${created[0]!.body.id}`, { key: small.key });
    expect(gone.status).toBe(204);
    const again = await api.call('POST', '/v1/sessions', { key: small.key, body: {} });
    expect(again.status).toBe(201);
    const full = await api.call<Problem>('POST', '/v1/sessions', { key: small.key, body: {} });
    expect(full.status).toBe(403);
  });

  it('refuses unknown fields and bad names with a 400', async () => {
    const reply = await api.call<{ errors: { pointer: string }[] }>('POST', '/v1/sessions', {
      key: tenant.key,
      body: { name: '', colour: 'red' },
    });
    expect(reply.status).toBe(400);
    expect(reply.body.errors.map((e) => e.pointer).sort()).toEqual(['/colour', '/name']);
  });
});

describe('QR', () => {
  it('409 while the session is not showing a QR', async () => {
    const session = await newSession();
    const reply = await api.call<Problem>('GET', `/v1/sessions/${session.id}/qr`, { key: tenant.key });
    expect(reply.status).toBe(409);
    expect(reply.body.detail).toContain('starting');
  });

  it('answers the QR written by the host as JSON, and as the PNG of that code', async () => {
    const session = await newSession();
    const code = '2@abcDEF123,noiseKey==,identityKey==,advSecret==';
    const expiresAt = new Date(Date.now() + 60_000).toISOString();
    await api.repos.sessions.updateStatus(session.id, 'qr', { qr: { code, refresh: 2, expiresAt } });

    const json = await api.call('GET', `/v1/sessions/${session.id}/qr`, { key: tenant.key });
    expect(json.status).toBe(200);
    expect(json.body).toEqual({ qr: code, refresh: 2, expiresAt });

    const png = await api.call('GET', `/v1/sessions/${session.id}/qr?format=png`, { key: tenant.key });
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(png.bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    // Same bytes as encoding the code ourselves with the same options: the PNG is of this code.
    const expected = await QRCode.toBuffer(code, {
      type: 'png',
      errorCorrectionLevel: 'M',
      margin: 2,
      width: 320,
    });
    expect(png.bytes.equals(expected)).toBe(true);

    const bad = await api.call<{ errors: { field: string }[] }>(
      'GET',
      `/v1/sessions/${session.id}/qr?format=gif`,
      {
        key: tenant.key,
      },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]?.field).toBe('format');
  });

  it('409 once the QR has expired', async () => {
    const session = await newSession();
    const expiresAt = new Date(Date.now() - 1_000).toISOString();
    await api.repos.sessions.updateStatus(session.id, 'qr', { qr: { code: 'x', refresh: 1, expiresAt } });
    const reply = await api.call<Problem>('GET', `/v1/sessions/${session.id}/qr`, { key: tenant.key });
    expect(reply.status).toBe(409);
  });
});

describe('pairing code', () => {
  it('409 while no host owns the session', async () => {
    const session = await newSession();
    const reply = await api.call<Problem>('POST', `/v1/sessions/${session.id}/pairing-code`, {
      key: tenant.key,
      body: { phone: '+15551234567' },
    });
    expect(reply.status).toBe(409);
  });

  it('400 naming the phone when it is not E.164', async () => {
    const session = await newSession();
    const reply = await api.call<{ errors: { pointer: string }[] }>(
      'POST',
      `/v1/sessions/${session.id}/pairing-code`,
      { key: tenant.key, body: { phone: '5551234567' } },
    );
    expect(reply.status).toBe(400);
    expect(reply.body.errors[0]?.pointer).toBe('/phone');
  });

  it('rings the owner host and answers the code it writes for this request id', async () => {
    const session = await newSession();
    const { hostId, queueUrl } = await ownAs(session.id);
    const pending = api.call<Record<string, unknown>>('POST', `/v1/sessions/${session.id}/pairing-code`, {
      key: tenant.key,
      body: { phone: '+15551234567' },
    });
    const command = await nextCommand(queueUrl);
    expect(command).toMatchObject({
      type: 'session.pairing-code',
      tenantId: tenant.tenantId,
      sessionId: session.id,
      phone: '+15551234567',
    });
    if (command.type !== 'session.pairing-code') throw new Error('unexpected command');
    const expiresAt = new Date(Date.now() + 120_000).toISOString();
    // An older code for another request must not be answered.
    await api.repos.sessions.updateDetails(
      session.id,
      { pairingCode: { code: 'OLDCODE1', phone: '+15551234567', requestId: 'other', expiresAt } },
      { hostId },
    );
    await api.repos.sessions.updateStatus(
      session.id,
      'pairing',
      { pairingCode: { code: 'ABCD1234', phone: '+15551234567', requestId: command.requestId, expiresAt } },
      { hostId },
    );
    const reply = await pending;
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ code: 'ABCD1234', phone: '+15551234567', expiresAt });
  });

  it('504 when the owner host does not answer in time', async () => {
    const session = await newSession();
    const { queueUrl } = await ownAs(session.id);
    const reply = await api.call<Problem>('POST', `/v1/sessions/${session.id}/pairing-code`, {
      key: tenant.key,
      body: { phone: '+15551234567' },
    });
    expect(reply.status).toBe(504);
    expect(reply.body.type).toMatch(/host-timeout$/);
    expect((await nextCommand(queueUrl)).type).toBe('session.pairing-code');
  });
});

describe('logout', () => {
  it('without an owner: stopped, logged_out, credentials erased (200)', async () => {
    const session = await newSession();
    const creds = await putCredentials(session.id);
    const reply = await api.call<SessionView>('POST', `/v1/sessions/${session.id}/logout`, {
      key: tenant.key,
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ status: 'logged_out', desired: 'stopped' });
    expect(await exists(creds)).toBe(false);
    expect(await credentialItems(session.id)).toBe(0);
    const stored = await api.repos.sessions.getById(session.id);
    expect(stored).toMatchObject({ status: 'logged_out', desired: 'stopped' });
  });

  it('with an owner: rings session.logout and leaves the unlinking to the host (202)', async () => {
    const session = await newSession();
    const creds = await putCredentials(session.id);
    const { queueUrl } = await ownAs(session.id);
    const reply = await api.call<SessionView>('POST', `/v1/sessions/${session.id}/logout`, {
      key: tenant.key,
    });
    expect(reply.status).toBe(202);
    expect((await nextCommand(queueUrl)).type).toBe('session.logout');
    expect(await exists(creds)).toBe(true);
    expect(await credentialItems(session.id)).toBe(3);
  });
});

describe('start', () => {
  it('starts a stopped session again under the same id; a host can claim it; starting twice is harmless', async () => {
    const session = await newSession();
    const loggedOut = await api.call<SessionView>('POST', `/v1/sessions/${session.id}/logout`, {
      key: tenant.key,
    });
    expect(loggedOut.body).toMatchObject({ status: 'logged_out', desired: 'stopped' });
    expect((await api.repos.sessions.findClaimable(Date.now(), 1000)).some((s) => s.id === session.id)).toBe(
      false,
    );

    const started = await api.call<SessionView>('POST', `/v1/sessions/${session.id}/start`, {
      key: tenant.key,
    });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ id: session.id, status: 'starting', desired: 'running' });
    expect((await api.repos.sessions.findClaimable(Date.now(), 1000)).some((s) => s.id === session.id)).toBe(
      true,
    );

    const again = await api.call<SessionView>('POST', `/v1/sessions/${session.id}/start`, {
      key: tenant.key,
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: session.id, status: 'starting', desired: 'running' });
  });

  it("another tenant's session is a 404 and stays stopped; a read-only key is a 403", async () => {
    const session = await newSession();
    await api.call('POST', `/v1/sessions/${session.id}/logout`, { key: tenant.key });
    const other = await api.createTenant();
    const foreign = await api.call('POST', `/v1/sessions/${session.id}/start`, { key: other.key });
    expect(foreign.status).toBe(404);
    const readOnly = await api.call<{ key: string }>('POST', '/v1/api-keys', {
      key: tenant.key,
      body: { name: 'reader', scopes: ['sessions:read'] },
    });
    expect(readOnly.status).toBe(201);
    const refused = await api.call('POST', `/v1/sessions/${session.id}/start`, { key: readOnly.body.key });
    expect(refused.status).toBe(403);
    expect(await api.repos.sessions.getById(session.id)).toMatchObject({ desired: 'stopped' });
  });
});

describe('delete', () => {
  it('stops the owner host, erases credentials, messages, chats and the session', async () => {
    const session = await newSession();
    const creds = await putCredentials(session.id);
    const { queueUrl } = await ownAs(session.id);
    const sent = await api.call<{ id: string }>('POST', `/v1/sessions/${session.id}/messages`, {
      key: tenant.key,
      body: { to: '+15551234567', type: 'text', text: { body: 'hello' } },
    });
    expect(sent.status).toBe(202);
    expect((await nextCommand(queueUrl)).type).toBe('message.send');

    const reply = await api.call('DELETE', `/v1/sessions/${session.id}`, { key: tenant.key });
    expect(reply.status).toBe(204);
    expect((await nextCommand(queueUrl)).type).toBe('session.stop');
    expect(await api.repos.sessions.getById(session.id)).toBeNull();
    expect(await api.repos.messages.get(session.id, sent.body.id)).toBeNull();
    expect((await api.repos.chats.listByActivity(session.id)).items).toEqual([]);
    expect(await exists(creds)).toBe(false);
    expect(await credentialItems(session.id)).toBe(0);
    expect((await api.call('GET', `/v1/sessions/${session.id}`, { key: tenant.key })).status).toBe(404);
    expect((await api.call('DELETE', `/v1/sessions/${session.id}`, { key: tenant.key })).status).toBe(404);
  });

  it("erases the files of the session's incoming messages; the tenant's uploads stay", async () => {
    const session = await newSession();
    const upload = (bytes: string) =>
      api.call<{ id: string }>('POST', '/v1/media', {
        key: tenant.key,
        headers: { 'content-type': 'image/jpeg' },
        rawBody: Buffer.from(bytes),
      });
    // A file as a session host stores an incoming photo (same bucket, same key scheme), and an upload.
    const received = await upload('photo from a contact');
    const uploaded = await upload('our catalogue picture');
    expect([received.status, uploaded.status]).toEqual([201, 201]);
    const at = new Date().toISOString();
    await api.repos.messages.create({
      id: newId(),
      tenantId: tenant.tenantId,
      sessionId: session.id,
      direction: 'inbound',
      chatJid: '15551234567@s.whatsapp.net',
      from: { phone: '+15551234567' },
      waMessageId: 'WA-PHOTO-1',
      type: 'image',
      content: { type: 'image', image: { mediaId: received.body.id, mimeType: 'image/jpeg' } },
      status: 'delivered',
      statusHistory: [{ status: 'delivered', at }],
      createdAt: at,
      updatedAt: at,
    });
    const media = (id: string) => api.call('GET', `/v1/media/${id}`, { key: tenant.key });
    expect((await media(received.body.id)).status).toBe(200);

    expect((await api.call('DELETE', `/v1/sessions/${session.id}`, { key: tenant.key })).status).toBe(204);
    expect((await media(received.body.id)).status).toBe(404);
    expect((await media(uploaded.body.id)).status).toBe(200);
  });
});
