import { describe, expect, it } from 'vitest';
import { DynamoSessionRepository } from '../../../../../shared/adapters/dynamodb/session-repository.js';
import { ConflictError, NotFoundError, ValidationError } from '../../../../../shared/domain/errors.js';
import { newId, nowIso } from '../../../../../shared/domain/ids.js';
import { toSessionView, type Session } from '../../../../../shared/domain/session.js';
import { LeaseLostError } from '../../../../../shared/ports/session-repository.js';
import { uid, useDynamo } from './support.js';

const db = useDynamo();
const repo = () => new DynamoSessionRepository(db.ctx);
const LEASE = 10_000;

function session(overrides: Partial<Session> = {}): Session {
  const at = nowIso();
  return {
    id: newId(),
    tenantId: newId(),
    name: 'main',
    desired: 'running',
    status: 'starting',
    createdAt: at,
    updatedAt: at,
    ...overrides,
  };
}

async function created(overrides: Partial<Session> = {}): Promise<Session> {
  return repo().create(session(overrides));
}

describe('DynamoSessionRepository: sessions', () => {
  it('creates idempotently and refuses a different session under the same id', async () => {
    const s = session({ owner: 'sneaky', leaseUntil: 99 });
    const first = await repo().create(s);
    expect(first.owner).toBeUndefined();
    expect(first.leaseUntil).toBe(0);
    await expect(repo().create(s)).resolves.toEqual(first);
    await expect(repo().create({ ...s, name: 'other' })).rejects.toBeInstanceOf(ConflictError);
    await expect(repo().create({ ...s, tenantId: newId() })).rejects.toBeInstanceOf(ConflictError);
  });

  it('hides another tenant’s session and never leaks the key attribute name', async () => {
    const s = await created();
    const got = await repo().get(s.tenantId, s.id);
    expect(got?.id).toBe(s.id);
    expect(got).not.toHaveProperty('sessionId');
    expect(await repo().get(newId(), s.id)).toBeNull();
    expect((await repo().getById(s.id))?.tenantId).toBe(s.tenantId);
    await expect(repo().setDesired(newId(), s.id, 'stopped')).rejects.toBeInstanceOf(NotFoundError);
    await expect(repo().delete(newId(), s.id)).rejects.toBeInstanceOf(NotFoundError);
    expect(await repo().getById(s.id)).not.toBeNull();
  });

  it('lists a tenant’s sessions across pages and rejects a tampered cursor', async () => {
    const tenantId = newId();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await created({ tenantId })).id);
    await created(); // another tenant's session must not show up
    const first = await repo().listByTenant(tenantId, { limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.cursor).toBeDefined();
    const seen = [...first.items];
    let cursor = first.cursor;
    while (cursor) {
      const page = await repo().listByTenant(tenantId, { limit: 2, cursor });
      seen.push(...page.items);
      cursor = page.cursor;
    }
    expect(seen.map((s) => s.id)).toEqual([...ids].sort());

    const foreign = Buffer.from(JSON.stringify({ tenantId: newId(), sessionId: ids[0] })).toString(
      'base64url',
    );
    await expect(repo().listByTenant(tenantId, { cursor: foreign })).rejects.toBeInstanceOf(ValidationError);
    await expect(repo().listByTenant(tenantId, { cursor: 'not json!' })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(
      repo().listByTenant(tenantId, { cursor: first.cursor!.slice(0, -3) }),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it('updates status along the status machine and refuses a transition it does not allow', async () => {
    const s = await created();
    const qr = await repo().updateStatus(s.id, 'qr');
    expect(qr.status).toBe('qr');
    const lastError = { code: 'boom', message: 'went wrong', at: nowIso() };
    const connected = await repo().updateStatus(s.id, 'connected', {
      phone: '+15551234567',
      pushName: 'Ann',
    });
    expect(connected).toMatchObject({ status: 'connected', phone: '+15551234567', pushName: 'Ann' });
    // connected -> qr is not a transition of the machine.
    await expect(repo().updateStatus(s.id, 'qr')).rejects.toBeInstanceOf(ConflictError);
    const failed = await repo().updateStatus(s.id, 'failed', { lastError });
    expect(failed.lastError).toEqual(lastError);
    const cleared = await repo().updateDetails(s.id, { lastError: null, pushName: null });
    expect(cleared.lastError).toBeUndefined();
    expect(cleared.pushName).toBeUndefined();
    expect(cleared.phone).toBe('+15551234567');
    await expect(repo().updateStatus(newId(), 'qr')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('keeps downSince from the first down write through repeated ones, and drops it when connected', async () => {
    const s = await created({ status: 'starting' });
    const connected = await repo().updateStatus(s.id, 'connected');
    expect(connected.downSince).toBeUndefined();
    const dropped = await repo().updateStatus(s.id, 'reconnecting');
    expect(dropped.downSince).toBe(dropped.updatedAt);
    await new Promise((resolve) => setTimeout(resolve, 5));
    // Another reconnect attempt writes the status again: updatedAt moves, downSince stays.
    const again = await repo().updateStatus(s.id, 'reconnecting');
    expect(again.updatedAt > dropped.updatedAt).toBe(true);
    expect(again.downSince).toBe(dropped.updatedAt);
    expect((await repo().updateStatus(s.id, 'starting')).downSince).toBe(dropped.updatedAt);
    expect((await repo().updateStatus(s.id, 'connected')).downSince).toBeUndefined();
    // Stopped in the middle of a run: the next start is a new run, not the old one's continuation.
    await repo().updateStatus(s.id, 'reconnecting');
    expect((await repo().updateStatus(s.id, 'disconnected')).downSince).toBeUndefined();
    const restarted = await repo().updateStatus(s.id, 'starting');
    expect(restarted.downSince).toBe(restarted.updatedAt);
    // Not shown by the API.
    expect(toSessionView(dropped)).not.toHaveProperty('downSince');
  });

  it('guards host writes with the lease', async () => {
    const s = await created();
    const host = `h-${uid()}`;
    expect(await repo().claim(s.id, host, LEASE, Date.now())).not.toBeNull();
    await expect(repo().updateStatus(s.id, 'qr', {}, { hostId: host })).resolves.toMatchObject({
      status: 'qr',
    });
    await expect(repo().updateStatus(s.id, 'connected', {}, { hostId: 'other' })).rejects.toBeInstanceOf(
      LeaseLostError,
    );
    expect((await repo().getById(s.id))?.status).toBe('qr');
  });

  it('stores the rotating QR and a pairing code with the status, and clears them', async () => {
    const s = await created();
    const expiresAt = new Date(Date.now() + 20_000).toISOString();
    const first = await repo().updateStatus(s.id, 'qr', {
      qr: { code: 'ref-1,a,b,c', refresh: 1, expiresAt },
    });
    expect(first.qr).toEqual({ code: 'ref-1,a,b,c', refresh: 1, expiresAt });
    const rotated = await repo().updateStatus(s.id, 'qr', {
      qr: { code: 'ref-2,a,b,c', refresh: 2, expiresAt },
    });
    expect(rotated.qr?.refresh).toBe(2);
    const pairingCode = { code: 'ABCD1234', phone: '+15551234567', requestId: 'req-1', expiresAt };
    expect((await repo().updateDetails(s.id, { pairingCode })).pairingCode).toEqual(pairingCode);
    const linked = await repo().updateStatus(s.id, 'connected', { qr: null, pairingCode: null });
    expect(linked.qr).toBeUndefined();
    expect(linked.pairingCode).toBeUndefined();
  });

  it('deletes a session of its tenant', async () => {
    const s = await created();
    await repo().delete(s.tenantId, s.id);
    expect(await repo().getById(s.id)).toBeNull();
  });
});

describe('DynamoSessionRepository: leases', () => {
  it('claims an unowned session, renews it, and refuses another host while the lease is valid', async () => {
    const s = await created();
    const [a, b] = [`a-${uid()}`, `b-${uid()}`];
    const now = Date.now();
    const claimed = await repo().claim(s.id, a, LEASE, now);
    expect(claimed).toMatchObject({ owner: a, leaseUntil: now + LEASE });
    expect(await repo().claim(s.id, b, LEASE, now + LEASE - 1)).toBeNull();
    // Re-claiming our own lease is fine (a host restarting its loop).
    expect((await repo().claim(s.id, a, LEASE, now + 1))?.leaseUntil).toBe(now + 1 + LEASE);
    const renewed = await repo().renew(s.id, a, LEASE, now + 5_000);
    expect(renewed.leaseUntil).toBe(now + 5_000 + LEASE);
    expect((await repo().getById(s.id))?.owner).toBe(a);
  });

  it('lets another host steal an expired lease; the old owner’s renew then fails with LeaseLostError', async () => {
    const s = await created();
    const [a, b] = [`a-${uid()}`, `b-${uid()}`];
    const now = Date.now();
    await repo().claim(s.id, a, LEASE, now);
    const stolen = await repo().claim(s.id, b, LEASE, now + LEASE + 1);
    expect(stolen?.owner).toBe(b);
    await expect(repo().renew(s.id, a, LEASE, now + LEASE + 2)).rejects.toBeInstanceOf(LeaseLostError);
    expect(await repo().release(s.id, a)).toBe(false);
    expect((await repo().getById(s.id))?.owner).toBe(b);
  });

  it('raises leaseEpoch on a claim from nobody or from another host, and keeps it for the same owner', async () => {
    const s = await created();
    expect(s.leaseEpoch).toBeUndefined();
    const [a, b] = [`a-${uid()}`, `b-${uid()}`];
    const now = Date.now();
    expect((await repo().claim(s.id, a, LEASE, now))?.leaseEpoch).toBe(1);
    // The same owner re-claiming (valid or expired lease) and renewing keeps its tenure.
    expect((await repo().claim(s.id, a, LEASE, now + 1))?.leaseEpoch).toBe(1);
    expect((await repo().claim(s.id, a, LEASE, now + 3 * LEASE))?.leaseEpoch).toBe(1);
    expect((await repo().renew(s.id, a, LEASE, now + 3 * LEASE + 1)).leaseEpoch).toBe(1);
    // Refused while valid: no epoch change.
    expect(await repo().claim(s.id, b, LEASE, now + 3 * LEASE + 2)).toBeNull();
    expect((await repo().getById(s.id))?.leaseEpoch).toBe(1);
    // Taken from another host whose lease expired.
    expect((await repo().claim(s.id, b, LEASE, now + 5 * LEASE))?.leaseEpoch).toBe(2);
    // Released, then claimed again (even by the previous owner): a new tenure.
    expect(await repo().release(s.id, b)).toBe(true);
    expect((await repo().claim(s.id, b, LEASE, now + 5 * LEASE + 1))?.leaseEpoch).toBe(3);
    expect((await repo().getById(s.id))?.leaseEpoch).toBe(3);
  });

  it('lets exactly one of many racing hosts win an unowned session', async () => {
    const s = await created();
    const now = Date.now();
    const hosts = Array.from({ length: 8 }, (_, i) => `race${i}-${uid()}`);
    const results = await Promise.all(hosts.map((h) => repo().claim(s.id, h, LEASE, now)));
    const winners = results.filter((r) => r !== null);
    expect(winners).toHaveLength(1);
    expect(winners[0]?.leaseEpoch).toBe(1);
    expect((await repo().getById(s.id))?.owner).toBe(winners[0]?.owner);
  });

  it('releases only our own lease, leaving leaseUntil 0 and no owner', async () => {
    const s = await created();
    const a = `a-${uid()}`;
    await repo().claim(s.id, a, LEASE, Date.now());
    expect(await repo().release(s.id, 'someone-else')).toBe(false);
    expect(await repo().release(s.id, a)).toBe(true);
    const raw = await db.rawItem('sessions', { sessionId: s.id });
    expect(raw?.leaseUntil).toBe(0);
    expect(raw).not.toHaveProperty('owner');
    await expect(repo().renew(s.id, a, LEASE, Date.now())).rejects.toBeInstanceOf(LeaseLostError);
    expect((await repo().claim(s.id, `b-${uid()}`, LEASE, Date.now()))?.owner).toMatch(/^b-/);
  });

  it('does not claim a stopped or missing session', async () => {
    const s = await created({ desired: 'stopped' });
    expect(await repo().claim(s.id, 'h', LEASE, Date.now())).toBeNull();
    expect(await repo().claim(newId(), 'h', LEASE, Date.now())).toBeNull();
    await expect(repo().renew(newId(), 'h', LEASE, Date.now())).rejects.toBeInstanceOf(LeaseLostError);
  });

  it('renewMany extends ours in batches of 25 and refuses another host’s, a stopped and a missing session', async () => {
    const a = `a-${uid()}`;
    const now = Date.now();
    const ours: Session[] = [];
    // 30 of ours: two batches, the second partly refused.
    for (let i = 0; i < 30; i++) {
      const s = await created();
      await repo().claim(s.id, a, LEASE, now);
      ours.push(s);
    }
    const taken = ours[27]!;
    await repo().claim(taken.id, `b-${uid()}`, LEASE, now + LEASE + 1);
    const stopped = ours[28]!;
    await repo().setDesired(stopped.tenantId, stopped.id, 'stopped');
    const missing = newId();
    const ids = [...ours.map((s) => s.id), missing];

    const outcomes = await repo().renewMany(ids, a, LEASE, now + 5_000);

    expect(outcomes.size).toBe(31);
    for (const id of [taken.id, stopped.id, missing]) expect(outcomes.get(id), id).toBe('refused');
    const renewed = ids.filter((id) => outcomes.get(id) === 'renewed');
    expect(renewed).toHaveLength(28);
    for (const id of renewed) expect((await repo().getById(id))?.leaseUntil, id).toBe(now + 5_000 + LEASE);
    // A refused write changed nothing: the stopped one keeps its lease time, the taken one its new owner's, and
    // no item was made for the missing id.
    expect((await repo().getById(stopped.id))?.leaseUntil).toBe(now + LEASE);
    expect((await repo().getById(taken.id))?.leaseUntil).toBe(now + 2 * LEASE + 1);
    expect(await db.rawItem('sessions', { sessionId: missing })).toBeUndefined();
    // The epoch is the tenure's: a renewal never moves it.
    expect((await repo().getById(ours[0]!.id))?.leaseEpoch).toBe(1);
  });

  it('renewMany fails every session of a call that fails as a whole, without throwing', async () => {
    const s = await created();
    await repo().claim(s.id, 'h', LEASE, Date.now());
    const broken = new DynamoSessionRepository({
      ...db.ctx,
      config: { ...db.ctx.config, APP_RESOURCE_PREFIX: `no-such-table-${uid()}-` },
    });
    const outcomes = await broken.renewMany([s.id], 'h', LEASE, Date.now());
    expect(outcomes.get(s.id)).toMatchObject({ failed: expect.any(Error) });
  });

  it('findClaimable returns only running sessions that are unowned or expired; listByOwner finds a host’s', async () => {
    // Times far in the future isolate this test from sessions other tests left behind (all leased near now).
    const now = Date.now() + 365 * 24 * 3600_000;
    const unowned = await created();
    const expired = await created();
    const valid = await created();
    const stopped = await created({ desired: 'stopped' });
    const [a, b] = [`a-${uid()}`, `b-${uid()}`];
    await repo().claim(expired.id, a, LEASE, now - 2 * LEASE);
    await repo().claim(valid.id, b, LEASE, now);
    const claimable = (await repo().findClaimable(now, 1000)).map((s) => s.id);
    expect(claimable).toContain(unowned.id);
    expect(claimable).toContain(expired.id);
    expect(claimable).not.toContain(valid.id);
    expect(claimable).not.toContain(stopped.id);
    expect(claimable.indexOf(unowned.id)).toBeLessThan(claimable.indexOf(expired.id));
    expect(await repo().findClaimable(now, 1)).toHaveLength(1);

    expect((await repo().listByOwner(b)).map((s) => s.id)).toEqual([valid.id]);
    await repo().release(valid.id, b);
    expect(await repo().listByOwner(b)).toEqual([]);
  });
});
