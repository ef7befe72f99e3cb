/** Host request/reply, the API side, against in-memory stand-ins for the doorbell and the reply table. */
import { describe, expect, it } from 'vitest';
import type { HostCommand, HostCommandOf } from '../../../../shared/contracts/host-command.js';
import type { HostReply } from '../../../../shared/contracts/host-request.js';
import { InternalError } from '../../../../shared/domain/errors.js';
import { newId } from '../../../../shared/domain/ids.js';
import {
  HostTimeoutError,
  SessionNotConnectedError,
  WhatsAppRequestError,
} from '../../../../shared/services/errors.js';
import type { RingOutcome } from '../../../../shared/services/host-doorbell.js';
import { askHost } from '../../../../shared/services/host-requests.js';

const WAIT_MS = 1_000;

/** A clock that moves only when the poll loop sleeps; `host` plays the owner host at each poll. */
function world(
  options: { ring?: RingOutcome; host?: (c: HostCommandOf<'host.request'>, at: number) => void } = {},
) {
  let clock = 5_000_000;
  const replies = new Map<string, HostReply>();
  const rung: HostCommand[] = [];
  const deps = {
    doorbell: {
      ring: async (_session: unknown, command: HostCommand) => {
        rung.push(command);
        return options.ring ?? 'rung';
      },
    },
    hostReplies: { get: async (id: string) => replies.get(id) ?? null },
    hostRequestWaitMs: WAIT_MS,
    now: () => clock,
    sleep: async (ms: number) => {
      clock += ms;
      const command = rung.at(-1);
      if (command?.type === 'host.request') options.host?.(command, clock);
    },
  };
  const session = { id: newId(), tenantId: newId(), owner: 'host-1', status: 'connected' as const };
  return { deps, session, replies, rung };
}

const ask = (w: ReturnType<typeof world>) =>
  askHost(w.deps, w.session, { kind: 'contacts.check', phones: ['+15551230001'] });

describe('askHost', () => {
  it('rings the owner with a fresh request id and a deadline, and answers the reply stored for that id', async () => {
    const w = world({
      host: (command, at) => {
        if (at < 5_000_300) return;
        w.replies.set('someone-else', { ok: true, result: { results: [] } });
        w.replies.set(command.requestId, {
          ok: true,
          result: { results: [{ phone: '+15551230001', exists: true, jid: '15551230001@s.whatsapp.net' }] },
        });
      },
    });
    await expect(ask(w)).resolves.toEqual({
      results: [{ phone: '+15551230001', exists: true, jid: '15551230001@s.whatsapp.net' }],
    });
    const command = w.rung[0] as HostCommandOf<'host.request'>;
    expect(command).toMatchObject({
      type: 'host.request',
      sessionId: w.session.id,
      tenantId: w.session.tenantId,
      request: { kind: 'contacts.check', phones: ['+15551230001'] },
    });
    expect(Date.parse(command.deadline) - Date.parse(command.sentAt)).toBe(WAIT_MS);
  });

  it('409 session-not-connected without ringing when the session is not connected', async () => {
    const w = world();
    const error = await askHost(
      w.deps,
      { ...w.session, status: 'reconnecting' },
      {
        kind: 'contacts.check',
        phones: ['+15551230001'],
      },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionNotConnectedError);
    expect((error as SessionNotConnectedError).status).toBe(409);
    expect(w.rung).toEqual([]);
  });

  it('409 when no host runs the session (no owner, or its queue is gone)', async () => {
    for (const ring of ['no-owner', 'host-gone'] as const) {
      await expect(ask(world({ ring }))).rejects.toBeInstanceOf(SessionNotConnectedError);
    }
  });

  it('409 when the host answers that the session is not connected on it; 502 when WhatsApp refused', async () => {
    const notConnected = world({
      host: (c) =>
        notConnected.replies.set(c.requestId, {
          ok: false,
          error: { code: 'session-not-connected', message: 'x' },
        }),
    });
    await expect(ask(notConnected)).rejects.toBeInstanceOf(SessionNotConnectedError);
    const refused = world({
      host: (c) =>
        refused.replies.set(c.requestId, {
          ok: false,
          error: { code: 'whatsapp-error', message: 'bad-request' },
        }),
    });
    const error = await ask(refused).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WhatsAppRequestError);
    expect((error as WhatsAppRequestError).detail).toBe('bad-request');
  });

  it('504 host-timeout when no reply comes by the deadline; a late reply is never taken for the next request', async () => {
    const first = world();
    const error = await ask(first).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostTimeoutError);
    expect((error as HostTimeoutError).status).toBe(504);
    // The host that had the request answers after its waiter gave up: nobody reads it, and the next request
    // (a new id) waits for its own reply.
    const late = first.rung[0] as HostCommandOf<'host.request'>;
    first.replies.set(late.requestId, { ok: true, result: { results: [] } });
    await expect(ask(first)).rejects.toBeInstanceOf(HostTimeoutError);
    expect(first.rung.map((c) => (c as HostCommandOf<'host.request'>).requestId)).toHaveLength(2);
    expect(new Set(first.rung.map((c) => (c as HostCommandOf<'host.request'>).requestId)).size).toBe(2);
  });

  it('a reply that does not match the kind’s result schema is an internal error, not passed on', async () => {
    const w = world({ host: (c) => w.replies.set(c.requestId, { ok: true, result: { results: 'nope' } }) });
    await expect(ask(w)).rejects.toBeInstanceOf(InternalError);
  });
});
