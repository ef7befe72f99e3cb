import { describe, expect, it } from 'vitest';
import type { Pool, PoolAssignment, PoolMemberLoad } from '../../../../shared/domain/pool.js';
import {
  dailyAllowance,
  memberHealth,
  routePoolSend,
  takenToday,
  type RoutingInput,
} from '../../../../shared/domain/pool-routing.js';
import type { Session } from '../../../../shared/domain/session.js';

const TENANT = '01J00000000000000000000000';
const A = '01J0000000000000000000000A';
const B = '01J0000000000000000000000B';
const C = '01J0000000000000000000000C';
const POOL = '01J000000000000000000000P0';
const NOW = Date.parse('2026-12-07T12:00:00.000Z');
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

function session(id: string, patch: Partial<Session> = {}): Session {
  return {
    id,
    tenantId: TENANT,
    desired: 'running',
    status: 'connected',
    createdAt: iso(NOW - 10 * DAY),
    updatedAt: iso(NOW - DAY),
    ...patch,
  };
}

function pool(patch: Partial<Pool> = {}, policy: Partial<Pool['policy']> = {}): Pool {
  return {
    id: POOL,
    tenantId: TENANT,
    name: 'p',
    members: [A, B, C].map((sessionId) => ({ sessionId, weight: 1, addedAt: iso(NOW - 30 * DAY) })),
    policy: { warmup: [], disconnectedGraceSeconds: 300, whenNoMember: 'fail', ...policy },
    createdAt: iso(NOW - 30 * DAY),
    updatedAt: iso(NOW - 30 * DAY),
    ...patch,
  };
}

const load = (patch: Partial<PoolMemberLoad> = {}): PoolMemberLoad => ({
  day: '2026-12-07',
  newContactsToday: 0,
  sent: 0,
  failed: 0,
  restrictedPeriods: 0,
  restrictions: [],
  contactsAssigned: 0,
  reassignedAway: 0,
  ...patch,
});

const assignment = (memberId: string): PoolAssignment => ({
  poolId: POOL,
  tenantId: TENANT,
  contact: '+15550001111',
  memberId,
  version: 3,
  assignedAt: iso(NOW - DAY),
  history: [],
});

function input(patch: Partial<RoutingInput> = {}): RoutingInput {
  return {
    pool: pool(),
    assignment: null,
    sessions: new Map([A, B, C].map((id) => [id, session(id)])),
    loads: new Map(),
    now: NOW,
    ...patch,
  };
}

const sessionsWith = (id: string, patch: Partial<Session> | null) =>
  new Map(
    [A, B, C].map((m): [string, Session | null] => [
      m,
      m === id ? (patch === null ? null : session(m, patch)) : session(m),
    ]),
  );

describe('member health', () => {
  it('is healthy only when connected, running and not restricted', () => {
    expect(memberHealth(session(A), TENANT, 300, NOW)).toEqual({ kind: 'healthy' });
    expect(memberHealth(session(A, { restriction: { active: true, type: 'X' } }), TENANT, 300, NOW)).toEqual({
      kind: 'dead',
      reason: 'restricted',
    });
    // An ended restriction (`active: false`) does not count.
    expect(
      memberHealth(session(A, { restriction: { active: false, type: 'X' } }), TENANT, 300, NOW).kind,
    ).toBe('healthy');
  });

  it('is dead when gone, another tenant’s, stopped or logged out', () => {
    expect(memberHealth(null, TENANT, 300, NOW)).toEqual({ kind: 'dead', reason: 'deleted' });
    expect(memberHealth(session(A, { tenantId: B }), TENANT, 300, NOW)).toEqual({
      kind: 'dead',
      reason: 'deleted',
    });
    expect(memberHealth(session(A, { desired: 'stopped' }), TENANT, 300, NOW)).toEqual({
      kind: 'dead',
      reason: 'stopped',
    });
    // A logout also stops the session: the logout is the reason.
    expect(memberHealth(session(A, { status: 'logged_out', desired: 'stopped' }), TENANT, 300, NOW)).toEqual({
      kind: 'dead',
      reason: 'logged_out',
    });
  });

  it('is down while reconnecting within the grace, dead after it', () => {
    const since = (ms: number) => session(A, { status: 'reconnecting', updatedAt: iso(NOW - ms) });
    expect(memberHealth(since(299_000), TENANT, 300, NOW)).toEqual({ kind: 'down' });
    expect(memberHealth(since(301_000), TENANT, 300, NOW)).toEqual({ kind: 'dead', reason: 'disconnected' });
  });

  it('counts the grace from downSince, not from the last reconnect attempt’s write', () => {
    const looping = session(A, {
      status: 'reconnecting',
      updatedAt: iso(NOW - 1_000),
      downSince: iso(NOW - 301_000),
    });
    expect(memberHealth(looping, TENANT, 300, NOW)).toEqual({ kind: 'dead', reason: 'disconnected' });
    expect(memberHealth({ ...looping, downSince: iso(NOW - 299_000) }, TENANT, 300, NOW)).toEqual({
      kind: 'down',
    });
  });
});

describe('daily allowance and warm-up', () => {
  const member = (addedAt: number, dailyCap?: number) => ({
    sessionId: A,
    weight: 1,
    addedAt: iso(addedAt),
    ...(dailyCap === undefined ? {} : { dailyCap }),
  });

  it('follows the warm-up schedule by UTC day since joining, then the cap', () => {
    const warmup = [5, 10, 20];
    expect(dailyAllowance(member(NOW), warmup, NOW)).toBe(5);
    expect(dailyAllowance(member(NOW - DAY), warmup, NOW)).toBe(10);
    expect(dailyAllowance(member(NOW - 2 * DAY), warmup, NOW)).toBe(20);
    expect(dailyAllowance(member(NOW - 3 * DAY), warmup, NOW)).toBe(Number.POSITIVE_INFINITY);
    expect(dailyAllowance(member(NOW - 3 * DAY, 50), warmup, NOW)).toBe(50);
    // The cap wins over a more generous warm-up day.
    expect(dailyAllowance(member(NOW - 2 * DAY, 15), warmup, NOW)).toBe(15);
  });

  it('counts a load of an earlier day as nothing taken today', () => {
    expect(takenToday(load({ newContactsToday: 7 }), NOW)).toBe(7);
    expect(takenToday(load({ day: '2026-12-06', newContactsToday: 7 }), NOW)).toBe(0);
    expect(takenToday(undefined, NOW)).toBe(0);
  });
});

describe('routing a pool send', () => {
  it('keeps a contact on its healthy member whatever the load', () => {
    const loads = new Map([[B, load({ newContactsToday: 100 })]]);
    expect(routePoolSend(input({ assignment: assignment(B), loads }))).toEqual({
      kind: 'sticky',
      memberId: B,
    });
  });

  it('keeps a contact on a member that is only down within the grace (the send waits there)', () => {
    const sessions = sessionsWith(B, { status: 'reconnecting', updatedAt: iso(NOW - 1000) });
    expect(routePoolSend(input({ assignment: assignment(B), sessions }))).toEqual({
      kind: 'sticky',
      memberId: B,
    });
  });

  it.each([
    ['logged_out', { status: 'logged_out' as const }],
    ['restricted', { restriction: { active: true, type: 'RESTRICT_ALL_COMPANIONS' } }],
    ['stopped', { desired: 'stopped' as const }],
    ['disconnected', { status: 'reconnecting' as const, updatedAt: iso(NOW - 600_000) }],
  ])('moves a contact off a %s member to the least loaded healthy one', (reason, patch) => {
    const loads = new Map([
      [A, load({ newContactsToday: 3 })],
      [C, load({ newContactsToday: 1 })],
    ]);
    const decision = routePoolSend(
      input({ assignment: assignment(B), sessions: sessionsWith(B, patch), loads }),
    );
    expect(decision).toEqual({ kind: 'assign', memberId: C, previous: { memberId: B, reason } });
  });

  it('moves a contact off a deleted member and off one removed from the pool', () => {
    expect(
      routePoolSend(input({ assignment: assignment(B), sessions: sessionsWith(B, null) })),
    ).toMatchObject({
      kind: 'assign',
      previous: { memberId: B, reason: 'deleted' },
    });
    const gone = '01J0000000000000000000000Z';
    expect(routePoolSend(input({ assignment: assignment(gone) }))).toMatchObject({
      kind: 'assign',
      memberId: A,
      previous: { memberId: gone, reason: 'removed' },
    });
  });

  it('gives a new contact the member with the fewest new contacts today for its weight', () => {
    const loads = new Map([
      [A, load({ newContactsToday: 4 })],
      [B, load({ newContactsToday: 6 })],
      [C, load({ newContactsToday: 5 })],
    ]);
    expect(routePoolSend(input({ loads }))).toEqual({ kind: 'assign', memberId: A });
    // B weighs 2: 6 / 2 = 3 per weight, the lightest.
    const weighted = pool();
    const members = weighted.members.map((m) => (m.sessionId === B ? { ...m, weight: 2 } : m));
    expect(routePoolSend(input({ loads, pool: { ...weighted, members } }))).toEqual({
      kind: 'assign',
      memberId: B,
    });
  });

  it('breaks ties by least recently loaded, then by id', () => {
    const loads = new Map([
      [A, load({ lastSentAt: NOW - 10 })],
      [B, load({ lastSentAt: NOW - 50 })],
      [C, load({ lastSentAt: NOW - 20 })],
    ]);
    expect(routePoolSend(input({ loads }))).toEqual({ kind: 'assign', memberId: B });
    expect(routePoolSend(input())).toEqual({ kind: 'assign', memberId: A });
  });

  it('skips members at their daily cap or warm-up allowance', () => {
    const base = pool({}, { warmup: [2] });
    const members = base.members.map((m) =>
      m.sessionId === A ? { ...m, dailyCap: 3 } : m.sessionId === B ? { ...m, addedAt: iso(NOW) } : m,
    );
    const loads = new Map([
      [A, load({ newContactsToday: 3 })],
      [B, load({ newContactsToday: 2 })],
      [C, load({ newContactsToday: 9 })],
    ]);
    expect(routePoolSend(input({ pool: { ...base, members }, loads }))).toEqual({
      kind: 'assign',
      memberId: C,
    });
    // Yesterday's count does not hold a member back today.
    const fresh = new Map([...loads, [A, load({ day: '2026-12-06', newContactsToday: 3 })]]);
    expect(routePoolSend(input({ pool: { ...base, members }, loads: fresh }))).toEqual({
      kind: 'assign',
      memberId: A,
    });
  });

  it('never gives a new contact to a restricted, down or dead member', () => {
    const sessions = new Map<string, Session | null>([
      [A, session(A, { restriction: { active: true, type: 'X' } })],
      [B, session(B, { status: 'reconnecting', updatedAt: iso(NOW - 1000) })],
      [C, session(C, { status: 'logged_out' })],
    ]);
    expect(routePoolSend(input({ sessions }))).toEqual({ kind: 'no-member-available' });
  });

  it('with policy wait, queues a new contact on a member that is only down; with nothing down, none', () => {
    const sessions = new Map<string, Session | null>([
      [A, session(A, { status: 'logged_out' })],
      [B, session(B, { status: 'reconnecting', updatedAt: iso(NOW - 1000) })],
      [C, null],
    ]);
    const waiting = pool({}, { whenNoMember: 'wait' });
    expect(routePoolSend(input({ pool: waiting, sessions }))).toEqual({ kind: 'assign', memberId: B });
    sessions.set(B, session(B, { status: 'logged_out' }));
    expect(routePoolSend(input({ pool: waiting, sessions }))).toEqual({ kind: 'no-member-available' });
  });

  it('says when the pool has no members at all', () => {
    expect(routePoolSend(input({ pool: pool({ members: [] }) }))).toEqual({ kind: 'no-members' });
  });

  it('spreads new contacts evenly as their counts grow (what sequential first sends see)', () => {
    const loads = new Map<string, PoolMemberLoad>();
    const picks: string[] = [];
    for (let i = 0; i < 9; i += 1) {
      const decision = routePoolSend(input({ loads, now: NOW + i }));
      if (decision.kind !== 'assign') throw new Error('expected an assignment');
      picks.push(decision.memberId);
      const before = loads.get(decision.memberId) ?? load();
      loads.set(decision.memberId, {
        ...before,
        newContactsToday: before.newContactsToday + 1,
        lastSentAt: NOW + i,
      });
    }
    expect(picks.filter((p) => p === A)).toHaveLength(3);
    expect(picks.filter((p) => p === B)).toHaveLength(3);
    expect(picks.filter((p) => p === C)).toHaveLength(3);
  });
});
