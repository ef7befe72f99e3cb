/** Session use cases against in-memory stand-ins for the ports, with a controlled clock. */
import { describe, expect, it } from 'vitest';
import type { HostCommand } from '../../../../shared/contracts/host-command.js';
import { ConflictError, NotFoundError, QuotaExceededError } from '../../../../shared/domain/errors.js';
import { newId } from '../../../../shared/domain/ids.js';
import type { Session } from '../../../../shared/domain/session.js';
import type { Tenant } from '../../../../shared/domain/tenant.js';
import type { ControlPlaneDeps } from '../../../../shared/services/deps.js';
import { HostTimeoutError } from '../../../../shared/services/errors.js';
import type { RingOutcome } from '../../../../shared/services/host-doorbell.js';
import {
  createSession,
  deleteSession,
  logoutSession,
  requestPairingCode,
} from '../../../../shared/services/sessions.js';

const tenantId = newId();
const tenant: Tenant = {
  id: tenantId,
  name: 't',
  status: 'active',
  limits: { maxSessions: 1, sendsPerMinute: 1, requestsPerMinute: 1 },
  createdAt: new Date(0).toISOString(),
};

function world(options: { owner?: string; ring?: RingOutcome; onRing?: (c: HostCommand) => void } = {}) {
  let clock = 1_000_000;
  const at = new Date(clock).toISOString();
  const sessions = new Map<string, Session>();
  const id = newId();
  sessions.set(id, {
    id,
    tenantId,
    desired: 'running',
    status: 'starting',
    leaseUntil: options.owner ? clock + 60_000 : 0,
    ...(options.owner ? { owner: options.owner } : {}),
    createdAt: at,
    updatedAt: at,
  });
  const rung: HostCommand[] = [];
  const erased: string[] = [];
  const get = (t: string, s: string) => {
    const found = sessions.get(s);
    return found && found.tenantId === t ? found : null;
  };
  const deps = {
    repos: {
      sessions: {
        get: async (t: string, s: string) => get(t, s),
        getById: async (s: string) => sessions.get(s) ?? null,
        listByTenant: async (t: string) => ({
          items: [...sessions.values()].filter((x) => x.tenantId === t),
        }),
        create: async (s: Session) => (sessions.set(s.id, s), s),
        createWithinQuota: async (s: Session, max: number) => {
          const count = [...sessions.values()].filter((x) => x.tenantId === s.tenantId).length;
          if (count >= max) throw new QuotaExceededError('at the limit');
          sessions.set(s.id, s);
          return s;
        },
        setDesired: async (t: string, s: string, desired: 'running' | 'stopped') => {
          const found = get(t, s);
          if (!found) throw new NotFoundError('x');
          const next = { ...found, desired };
          sessions.set(s, next);
          return next;
        },
        updateStatus: async (s: string, status: Session['status']) => {
          const next = { ...sessions.get(s)!, status };
          sessions.set(s, next);
          return next;
        },
        delete: async (_t: string, s: string) => void sessions.delete(s),
      },
    },
    doorbell: {
      ring: async (_s: unknown, command: HostCommand) => {
        rung.push(command);
        options.onRing?.(command);
        return options.ring ?? (options.owner ? 'rung' : 'no-owner');
      },
    },
    credentials: { erase: async (s: string) => void erased.push(`creds:${s}`) },
    records: { erase: async (s: string) => (erased.push(`records:${s}`), { messages: 0, chats: 0 }) },
    localMode: false,
    pairingWaitMs: 5_000,
    releaseWaitMs: 2_000,
    now: () => clock,
    sleep: async (ms: number) => void (clock += ms),
  } as unknown as ControlPlaneDeps;
  return { deps, sessions, id, rung, erased, advance: (ms: number) => (clock += ms) };
}

describe('createSession', () => {
  it('refuses beyond maxSessions with a quota problem', async () => {
    const w = world();
    await expect(createSession(w.deps, tenant, {})).rejects.toThrow(
      /may have at most 1 session\(s\); delete one or ask for a higher limit/,
    );
    await expect(createSession(w.deps, tenant, {})).rejects.toBeInstanceOf(QuotaExceededError);
    const roomy = { ...tenant, limits: { ...tenant.limits, maxSessions: 2 } };
    const created = await createSession(w.deps, roomy, { name: 'n' });
    expect(created).toMatchObject({ name: 'n', status: 'starting', desired: 'running' });
  });
});

describe('requestPairingCode', () => {
  it('answers only the code carrying this request id', async () => {
    const w = world({ owner: 'h1' });
    const expiresAt = new Date(2e12).toISOString();
    let requestId = '';
    w.deps.doorbell.ring = async (_s, command) => {
      if (command.type === 'session.pairing-code') requestId = command.requestId;
      // An older answer (another request) is on the item already.
      const s = w.sessions.get(w.id)!;
      w.sessions.set(w.id, {
        ...s,
        pairingCode: { code: 'OLD', phone: '+15551234567', requestId: 'x', expiresAt },
      });
      return 'rung';
    };
    let polls = 0;
    const sleep = w.deps.sleep;
    Object.assign(w.deps, {
      sleep: async (ms: number) => {
        await sleep(ms);
        // The host answers after a few polls.
        if (++polls === 3) {
          const cur = w.sessions.get(w.id)!;
          w.sessions.set(w.id, {
            ...cur,
            pairingCode: { code: 'NEW12345', phone: '+15551234567', requestId, expiresAt },
          });
        }
      },
    });
    const result = await requestPairingCode(w.deps, tenantId, w.id, '+15551234567');
    expect(result).toEqual({ code: 'NEW12345', phone: '+15551234567', expiresAt });
    expect(polls).toBe(3);
  });

  it('504 once the wait is over without an answer; 409 without an owner; 404 for another tenant', async () => {
    const w = world({ owner: 'h1' });
    await expect(requestPairingCode(w.deps, tenantId, w.id, '+15551234567')).rejects.toBeInstanceOf(
      HostTimeoutError,
    );
    const unowned = world();
    await expect(
      requestPairingCode(unowned.deps, tenantId, unowned.id, '+15551234567'),
    ).rejects.toBeInstanceOf(ConflictError);
    await expect(requestPairingCode(w.deps, newId(), w.id, '+15551234567')).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });
});

describe('requestPairingCode with a code outstanding', () => {
  const outstanding = (w: ReturnType<typeof world>, expiresAt: string) => {
    const s = w.sessions.get(w.id)!;
    w.sessions.set(w.id, {
      ...s,
      status: 'pairing',
      pairingCode: { code: 'ABCD1234', phone: '+15551234567', requestId: 'r1', expiresAt },
    });
  };

  it('gives the same phone the code in force, without asking the host again', async () => {
    const w = world({ owner: 'h1' });
    outstanding(w, new Date(2e12).toISOString());
    const result = await requestPairingCode(w.deps, tenantId, w.id, '+15551234567');
    expect(result).toEqual({
      code: 'ABCD1234',
      phone: '+15551234567',
      expiresAt: new Date(2e12).toISOString(),
    });
    expect(w.rung).toHaveLength(0);
  });

  it('refuses another phone at once with a 409 naming the outstanding one', async () => {
    const w = world({ owner: 'h1' });
    outstanding(w, new Date(2e12).toISOString());
    const attempt = requestPairingCode(w.deps, tenantId, w.id, '+15557654321');
    await expect(attempt).rejects.toBeInstanceOf(ConflictError);
    await expect(attempt).rejects.toThrow(/waiting for the pairing code of \+15551234567/);
    expect(w.rung).toHaveLength(0);
  });

  it('asks the host again once the outstanding code expired', async () => {
    const w = world({ owner: 'h1' });
    outstanding(w, new Date(1).toISOString());
    await expect(requestPairingCode(w.deps, tenantId, w.id, '+15557654321')).rejects.toBeInstanceOf(
      HostTimeoutError,
    );
    expect(w.rung.map((c) => c.type)).toEqual(['session.pairing-code']);
  });
});

describe('logoutSession', () => {
  it('with an owner only rings the host; without one stops, marks logged_out and erases credentials', async () => {
    const owned = world({ owner: 'h1' });
    const a = await logoutSession(owned.deps, tenantId, owned.id);
    expect(a.accepted).toBe(true);
    expect(owned.rung.map((c) => c.type)).toEqual(['session.logout']);
    expect(owned.erased).toEqual([]);

    const free = world();
    const b = await logoutSession(free.deps, tenantId, free.id);
    expect(b).toMatchObject({ accepted: false, session: { status: 'logged_out', desired: 'stopped' } });
    expect(free.erased).toEqual([`creds:${free.id}`]);
  });
});

describe('deleteSession', () => {
  it('stops first, waits for the owner to let go (bounded), then erases records, credentials, the session', async () => {
    const w = world({ owner: 'h1' });
    await deleteSession(w.deps, tenantId, w.id);
    expect(w.rung.map((c) => c.type)).toEqual(['session.stop']);
    expect(w.erased).toEqual([`records:${w.id}`, `creds:${w.id}`]);
    expect(w.sessions.has(w.id)).toBe(false);
  });
});
