import { describe, expect, it } from 'vitest';
import {
  CreateSessionRequestSchema,
  PairingCodeRequestSchema,
  SESSION_TRANSITIONS,
  SessionSchema,
  SessionStatusSchema,
  canTransition,
  isActiveStatus,
  newId,
  toSessionView,
  type SessionStatus,
} from '../../../../shared/domain/index.js';

const statuses = SessionStatusSchema.options;

describe('session status machine', () => {
  it('has a row for every status and only known targets', () => {
    expect(Object.keys(SESSION_TRANSITIONS).sort()).toEqual([...statuses].sort());
    for (const targets of Object.values(SESSION_TRANSITIONS)) {
      for (const t of targets) expect(statuses).toContain(t);
    }
  });

  it.each<[SessionStatus, SessionStatus]>([
    ['starting', 'qr'],
    ['starting', 'connected'],
    ['qr', 'connected'],
    ['qr', 'qr_expired'],
    ['qr', 'pairing'],
    ['pairing', 'connected'],
    ['connected', 'reconnecting'],
    ['reconnecting', 'connected'],
    ['connected', 'logged_out'],
    ['connected', 'disconnected'],
    ['disconnected', 'starting'],
    ['logged_out', 'starting'],
    ['qr_expired', 'starting'],
    ['failed', 'starting'],
  ])('allows %s -> %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
  });

  it.each<[SessionStatus, SessionStatus]>([
    ['logged_out', 'connected'],
    ['logged_out', 'qr'],
    ['disconnected', 'connected'],
    ['qr_expired', 'connected'],
    ['qr_expired', 'qr'],
    ['connected', 'qr'],
    ['connected', 'pairing'],
    ['reconnecting', 'qr'],
    ['failed', 'connected'],
    ['logged_out', 'disconnected'],
  ])('refuses %s -> %s', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
  });

  it('treats a same-status write as no transition', () => {
    for (const s of statuses) expect(canTransition(s, s)).toBe(false);
  });

  it('lets a host (re)start a session from any other status', () => {
    for (const s of statuses.filter((x) => x !== 'starting')) expect(canTransition(s, 'starting')).toBe(true);
  });

  it('knows which statuses need a host', () => {
    expect(isActiveStatus('connected')).toBe(true);
    expect(isActiveStatus('qr')).toBe(true);
    expect(isActiveStatus('logged_out')).toBe(false);
    expect(isActiveStatus('qr_expired')).toBe(false);
  });
});

describe('SessionSchema', () => {
  const now = new Date().toISOString();
  const session = {
    id: newId(),
    tenantId: newId(),
    name: 'support line',
    desired: 'running',
    status: 'connected',
    phone: '+15551234567',
    pushName: 'Acme',
    lastError: { code: 'stream_error', message: 'conflict', at: now },
    owner: 'host-1',
    leaseUntil: Date.now() + 15_000,
    createdAt: now,
    updatedAt: now,
  };

  it('accepts a full record and a minimal one', () => {
    expect(SessionSchema.safeParse(session).success).toBe(true);
    const {
      name: _n,
      phone: _p,
      pushName: _pn,
      lastError: _e,
      owner: _o,
      leaseUntil: _l,
      ...minimal
    } = session;
    expect(SessionSchema.safeParse(minimal).success).toBe(true);
  });

  it.each([
    ['an unknown status', { status: 'online' }],
    ['an unknown desired state', { desired: 'paused' }],
    ['a lease as ISO string', { leaseUntil: now }],
    ['a non-E.164 phone', { phone: '5551234567' }],
    ['a blank name', { name: '   ' }],
    ['a lastError without code', { lastError: { message: 'x', at: now } }],
    ['a bad id', { id: 'abc' }],
  ])('refuses %s', (_label, patch) => {
    expect(SessionSchema.safeParse({ ...session, ...patch }).success).toBe(false);
  });

  it('keeps lease internals and tenancy out of the API view', () => {
    const view = toSessionView(SessionSchema.parse(session));
    expect(view).not.toHaveProperty('owner');
    expect(view).not.toHaveProperty('leaseUntil');
    expect(view).not.toHaveProperty('tenantId');
    expect(view.status).toBe('connected');
  });

  it('shows where the session runs while its lease holds, and nothing once it lapsed', () => {
    const leased = SessionSchema.parse({ ...session, owner: 'host-a', leaseUntil: 2_000_000 });
    expect(toSessionView(leased, 1_000_000).runsOn).toEqual({
      hostId: 'host-a',
      leaseExpiresAt: new Date(2_000_000).toISOString(),
    });
    expect(toSessionView(leased, 2_000_000)).not.toHaveProperty('runsOn');
  });

  it('validates create and pairing-code requests', () => {
    expect(CreateSessionRequestSchema.parse({})).toEqual({});
    expect(CreateSessionRequestSchema.parse({ name: ' sales ' })).toEqual({ name: 'sales' });
    expect(CreateSessionRequestSchema.safeParse({ name: 5 }).success).toBe(false);
    expect(CreateSessionRequestSchema.safeParse({ nme: 'x' }).success).toBe(false);
    expect(PairingCodeRequestSchema.safeParse({ phone: '+15551234567' }).success).toBe(true);
    expect(PairingCodeRequestSchema.safeParse({ phone: '15551234567' }).success).toBe(false);
  });
});
