import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DATA_KEY_ITEM,
  DynamoCredentialStore,
} from '../../../../../shared/adapters/dynamodb/credential-store.js';
import { tableName } from '../../../../../shared/adapters/dynamodb/items.js';
import { DynamoMessageRepository } from '../../../../../shared/adapters/dynamodb/message-repository.js';
import { DynamoSessionRepository } from '../../../../../shared/adapters/dynamodb/session-repository.js';
import { LocalDataKeyProvider } from '../../../../../shared/adapters/local/local-data-key-provider.js';
import { DecryptionError } from '../../../../../shared/crypto/envelope.js';
import { newId, nowIso } from '../../../../../shared/domain/ids.js';
import type { Message } from '../../../../../shared/domain/message.js';
import {
  CredentialsFencedError,
  type CredentialChange,
  type CredentialFence,
} from '../../../../../shared/ports/credential-store.js';
import type { TransactionPart } from '../../../../../shared/ports/transaction-part.js';
import { uid, useDynamo } from './support.js';

const db = useDynamo();
const provider = new LocalDataKeyProvider(randomBytes(32));
const store = () => new DynamoCredentialStore({ ctx: db.ctx, provider });
const sessions = () => new DynamoSessionRepository(db.ctx);
const LEASE = 10_000;

/** A running session claimed by a fresh host: the fence of its first tenure. */
async function claimed(): Promise<{ sessionId: string; fence: CredentialFence }> {
  const at = nowIso();
  const s = await sessions().create({
    id: newId(),
    tenantId: newId(),
    name: 'main',
    desired: 'running',
    status: 'starting',
    createdAt: at,
    updatedAt: at,
  });
  const hostId = `h-${uid()}`;
  const got = await sessions().claim(s.id, hostId, LEASE, Date.now());
  return { sessionId: s.id, fence: { hostId, leaseEpoch: got!.leaseEpoch! } };
}

const text = (value: Uint8Array | undefined): string => Buffer.from(value ?? []).toString('utf8');
const change = (type: string, id: string, value: string | null): CredentialChange => ({
  type,
  id,
  value: value === null ? null : Buffer.from(value),
});

async function itemKeys(sessionId: string): Promise<string[]> {
  const out = await db.ctx.dynamo.send(
    new QueryCommand({
      TableName: tableName(db.ctx, 'credentials'),
      KeyConditionExpression: 'sessionId = :s',
      ExpressionAttributeValues: { ':s': sessionId },
      ConsistentRead: true,
    }),
  );
  return (out.Items ?? []).map((i) => String(i['itemKey'])).sort();
}

/** A part on another table whose condition holds once: the first write applies it, a second is refused. */
function oncePart(sessionId: string, idKey: string): TransactionPart {
  return {
    store: 'dynamodb',
    item: {
      Put: {
        TableName: tableName(db.ctx, 'lidMappings'),
        Item: { sessionId, idKey },
        ConditionExpression: 'attribute_not_exists(idKey)',
      },
    },
  };
}

describe('DynamoCredentialStore', () => {
  it('writes items sealed, reads back only what exists, deletes on null, and reuses the data key', async () => {
    const { sessionId, fence } = await claimed();
    const creds = await store().open(sessionId, fence);
    const result = await creds.write([
      change('creds', '', '{"registrationId":7}'),
      change('session', '15551230000.0', 'ratchet-a'),
      change('pre-key', '1', 'prekey-1'),
    ]);
    expect(result.transactions).toBe(1);
    expect(result.bytes).toBeGreaterThan(0);
    expect(await itemKeys(sessionId)).toEqual(['creds', DATA_KEY_ITEM, 'pre-key#1', 'session#15551230000.0']);
    const raw = await db.rawItem('credentials', { sessionId, itemKey: 'session#15551230000.0' });
    expect(Buffer.from(raw?.['v'] as Uint8Array).includes(Buffer.from('ratchet-a'))).toBe(false);

    // Another opening of the same tenure (a restart of the runner) unwraps the same data key.
    const again = await store().open(sessionId, fence);
    const read = await again.read([
      { type: 'creds', id: '' },
      { type: 'session', id: '15551230000.0' },
      { type: 'session', id: 'missing' },
    ]);
    expect(read.map((r) => [r.type, r.id, text(r.value)])).toEqual(
      expect.arrayContaining([
        ['creds', '', '{"registrationId":7}'],
        ['session', '15551230000.0', 'ratchet-a'],
      ]),
    );
    expect(read).toHaveLength(2);
    await again.write([change('pre-key', '1', null)]);
    expect(await again.read([{ type: 'pre-key', id: '1' }])).toEqual([]);
    again.close();
    await expect(again.write([change('session', 'x', 'v')])).rejects.toThrow(/after destroy/);
  });

  it('refuses writes of a host that lost the lease, and of the same host in an older tenure', async () => {
    const { sessionId, fence } = await claimed();
    const stale = await store().open(sessionId, fence);
    await stale.write([change('session', 'a', 'v1')]);
    // Another host takes the expired lease: the first one's writes are refused, nothing of them lands.
    const thief = `t-${uid()}`;
    const taken = await sessions().claim(sessionId, thief, LEASE, Date.now() + 2 * LEASE);
    await expect(stale.write([change('session', 'a', 'stale')])).rejects.toBeInstanceOf(
      CredentialsFencedError,
    );
    const current = await store().open(sessionId, { hostId: thief, leaseEpoch: taken!.leaseEpoch! });
    expect(text((await current.read([{ type: 'session', id: 'a' }]))[0]?.value)).toBe('v1');
    await current.write([change('session', 'a', 'v2')]);
    // The first host gets the session back later: a new tenure; its old instance stays fenced out.
    await sessions().release(sessionId, thief);
    const back = await sessions().claim(sessionId, fence.hostId, LEASE, Date.now());
    expect(back?.leaseEpoch).toBe(fence.leaseEpoch + 2);
    await expect(stale.write([change('session', 'a', 'stale')])).rejects.toBeInstanceOf(
      CredentialsFencedError,
    );
    // A session nobody owns refuses too (no owner attribute at all).
    await sessions().release(sessionId, fence.hostId);
    const unowned = await store().open(sessionId, { hostId: fence.hostId, leaseEpoch: back!.leaseEpoch! });
    await expect(unowned.write([change('session', 'a', 'x')])).rejects.toBeInstanceOf(CredentialsFencedError);
    expect(text((await current.read([{ type: 'session', id: 'a' }]))[0]?.value)).toBe('v2');
  });

  it('refuses an item moved to another session, moved under another id, or tampered', async () => {
    const a = await claimed();
    const b = await claimed();
    const ca = await store().open(a.sessionId, a.fence);
    const cb = await store().open(b.sessionId, b.fence);
    await ca.write([change('session', 'x', 'from-a'), change('session', 'y', 'y-of-a')]);
    await cb.write([change('session', 'x', 'from-b')]);
    const table = tableName(db.ctx, 'credentials');
    const raw = await db.rawItem('credentials', { sessionId: a.sessionId, itemKey: 'session#x' });
    // A's item copied over B's: B's key opens nothing sealed for A (and A's binding names A anyway).
    await db.ctx.dynamo.send(
      new PutCommand({ TableName: table, Item: { ...raw, sessionId: b.sessionId, itemKey: 'session#x' } }),
    );
    await expect(cb.read([{ type: 'session', id: 'x' }])).rejects.toBeInstanceOf(DecryptionError);
    // Within A: the item for x moved under id y (same key, other binding).
    await db.ctx.dynamo.send(new PutCommand({ TableName: table, Item: { ...raw, itemKey: 'session#y' } }));
    await expect(ca.read([{ type: 'session', id: 'y' }])).rejects.toBeInstanceOf(DecryptionError);
    // A flipped byte.
    const v = Buffer.from(raw?.['v'] as Uint8Array);
    v[v.length - 1] = (v[v.length - 1] ?? 0) ^ 1;
    await db.ctx.dynamo.send(new PutCommand({ TableName: table, Item: { ...raw, v } }));
    await expect(ca.read([{ type: 'session', id: 'x' }])).rejects.toBeInstanceOf(DecryptionError);
    // A data key wrapped by another master key is refused as unreadable, not as an outage.
    const other = new DynamoCredentialStore({
      ctx: db.ctx,
      provider: new LocalDataKeyProvider(randomBytes(32)),
    });
    await expect(other.open(a.sessionId, a.fence)).rejects.toMatchObject({ reason: 'wrapped-key-rejected' });
  });

  it('splits large changes into fenced transactions of 100 and puts a joined part in the last', async () => {
    const { sessionId, fence } = await claimed();
    const creds = await store().open(sessionId, fence);
    const many = Array.from({ length: 250 }, (_, i) => change('pre-key', String(i), `k${i}`));
    const result = await creds.write(many, oncePart(sessionId, 'part-1'));
    expect(result.transactions).toBe(3);
    expect(result.part).toEqual({ applied: true });
    expect((await itemKeys(sessionId)).filter((k) => k.startsWith('pre-key#'))).toHaveLength(250);
    expect(await db.rawItem('lidMappings', { sessionId, idKey: 'part-1' })).toBeDefined();
    // Exactly 99 changes fill one transaction: the part then goes alone with the fence.
    const full = await creds.write(
      Array.from({ length: 99 }, (_, i) => change('session', String(i), 's')),
      oncePart(sessionId, 'part-2'),
    );
    expect(full.transactions).toBe(2);
    // A part refused by its own condition: the changes still land, the caller hears `applied: false`.
    const refused = await creds.write([change('session', 'late', 'v')], oncePart(sessionId, 'part-1'));
    expect(refused.part).toEqual({ applied: false });
    expect(await creds.read([{ type: 'session', id: 'late' }])).toHaveLength(1);
    // A part alone (no key change) is still one fenced round trip.
    const alone = await creds.write([], oncePart(sessionId, 'part-3'));
    expect(alone).toMatchObject({ transactions: 1, part: { applied: true }, bytes: 0 });
  });

  it("a send's keys and its sending -> sent move land in one fenced transaction (the message repository's part)", async () => {
    const { sessionId, fence } = await claimed();
    const creds = await store().open(sessionId, fence);
    const messages = new DynamoMessageRepository(db.ctx);
    const at = nowIso();
    const queued: Message = {
      id: newId(),
      tenantId: newId(),
      sessionId,
      direction: 'outbound',
      chatJid: '15551234567@s.whatsapp.net',
      to: '+15551234567',
      type: 'text',
      content: { type: 'text', text: { body: 'hi' } },
      status: 'queued',
      statusHistory: [{ status: 'queued', at }],
      createdAt: at,
      updatedAt: at,
    };
    await messages.create(queued);
    const sending = (
      await messages.advanceStatus(sessionId, queued.id, 'sending', { at, waMessageId: 'WA1' })
    ).message;
    const { part, after } = messages.advanceStatusPart(sending, 'sent', { at: nowIso(), waMessageId: 'WA1' });
    const result = await creds.write([change('session', 'c.0', 'ratchet-after-send')], part);
    expect(result).toMatchObject({ transactions: 1, part: { applied: true } });
    const stored = await messages.get(sessionId, queued.id);
    expect(stored).toEqual(after);
    expect(stored?.statusHistory.map((h) => h.status)).toEqual(['queued', 'sending', 'sent']);

    // Already further (a receipt beat us): the move is refused, the keys still land.
    const again = messages.advanceStatusPart(sending, 'sent', { at: nowIso(), waMessageId: 'WA1' });
    const late = await creds.write([change('session', 'c.0', 'newer')], again.part);
    expect(late.part).toEqual({ applied: false });
    expect(text((await creds.read([{ type: 'session', id: 'c.0' }]))[0]?.value)).toBe('newer');

    // A host fenced out moves nothing: neither its keys nor the message.
    await sessions().claim(sessionId, `thief-${uid()}`, LEASE, Date.now() + 2 * LEASE);
    const third = { ...queued, sessionId, id: newId() };
    await messages.create(third);
    const moving = (await messages.advanceStatus(sessionId, third.id, 'sending', { at })).message;
    const fenced = messages.advanceStatusPart(moving, 'sent', { at: nowIso() });
    await expect(creds.write([change('session', 'c.0', 'stale')], fenced.part)).rejects.toBeInstanceOf(
      CredentialsFencedError,
    );
    expect((await messages.get(sessionId, third.id))?.status).toBe('sending');
  });

  it('erases every item of the session, data key included, and only that session', async () => {
    const a = await claimed();
    const b = await claimed();
    await (
      await store().open(a.sessionId, a.fence)
    ).write([change('creds', '', '{}'), change('session', 'x', 'v')]);
    await (await store().open(b.sessionId, b.fence)).write([change('creds', '', '{}')]);
    expect(await store().erase(a.sessionId)).toEqual({ items: 3 });
    expect(await itemKeys(a.sessionId)).toEqual([]);
    expect(await itemKeys(b.sessionId)).toEqual(['creds', DATA_KEY_ITEM]);
    expect(await store().erase(a.sessionId)).toEqual({ items: 0 });
  });
});
