/**
 * The real session host (local cloud, simulator, real Baileys) links a session while EventBridge is down: every
 * `session.status` of the way (qr, pairing, ..., connected) waits in the event outbox, and once the bus
 * is back each arrives exactly once, in order, under the id it was stored with. The only stand-in is the bus's
 * outage, in front of the local EventBridge.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEventOf } from '../../../../shared/domain/events.js';
import type { SessionHost } from '../../../../session-host/host.js';
import { createSession, freshPhone, linkByQr, startHostWorld, until, type HostWorld } from '../support.js';
import { OutageBus } from '../../../support/outage-bus.js';

const RETRY_MS = 200;

describe('session.status through the event outbox', () => {
  let world: HostWorld;
  let host: SessionHost;
  let bus: OutageBus;

  beforeAll(async () => {
    world = await startHostWorld();
    host = await world.startHost(
      {},
      {
        env: { APP_OUTBOX_RETRY_MS: String(RETRY_MS) },
        decorateAdapters: (adapters) => {
          bus = new OutageBus(adapters.eventBus);
          return { ...adapters, eventBus: bus };
        },
      },
    );
  }, 60_000);
  afterAll(async () => world?.stop(), 60_000);

  const statusEvents = (sessionId: string) =>
    bus.published.filter(
      (e): e is DomainEventOf<'session.status'> => e.type === 'session.status' && e.sessionId === sessionId,
    );

  it('a session linked during an EventBridge outage: every status event arrives once, in order, after it', async () => {
    bus.down = true;
    const session = await createSession(world.adapters);
    await linkByQr(world, session, freshPhone());

    const stored = await until(
      () => world.adapters.eventOutbox.listPending(session.id),
      (events) => events.some((e) => e.type === 'session.status' && e.data.status === 'connected'),
      'the connected event stored',
    );
    expect(statusEvents(session.id)).toEqual([]);
    const statuses = stored.map((e) => (e.type === 'session.status' ? e.data.status : e.type));
    // The session was created `starting`, so the first change is to `qr`.
    expect(statuses[0]).toBe('qr');
    expect(statuses.at(-1)).toBe('connected');

    const refused = bus.refused;
    await until(
      () => bus.refused,
      (n) => n > refused,
      'a retry round refused',
    );
    bus.down = false;
    await until(
      () => statusEvents(session.id),
      (events) => events.length >= stored.length,
      'the stored events published',
    );
    // A few more retry periods: nothing comes twice.
    await new Promise((r) => setTimeout(r, RETRY_MS * 4));

    const published = statusEvents(session.id);
    expect(published).toEqual(stored);
    expect(new Set(published.map((e) => e.id)).size).toBe(published.length);
    // In order: each event starts where the one before it ended.
    for (let i = 1; i < published.length; i++) {
      expect(published[i]!.data.previousStatus).toBe(published[i - 1]!.data.status);
    }
    expect(await world.adapters.eventOutbox.listPending(session.id)).toEqual([]);
    expect(host.sessions().get(session.id)).toBe('connected');
  });
});
