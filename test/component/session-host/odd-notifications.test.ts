/**
 * Nothing lost on bad input from WhatsApp: notifications of a type nobody knows, or whose payload does not parse
 * (a `mex` update that is not JSON, a `companion_reg_refresh` without its child, an empty pairing-code one), are
 * acked by the linked session host, which stays connected and keeps receiving.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StanzaEvent } from '../../../simulator/events.js';
import {
  createSession,
  freshPhone,
  linkByQr,
  sessionNow,
  startHostWorld,
  until,
  type HostWorld,
} from './support.js';

describe('session host: odd notifications are acked and survived', () => {
  let world: HostWorld;
  let phone: string;
  let sessionId: string;
  const acked = new Set<string>();
  const logins: string[] = [];

  beforeAll(async () => {
    world = await startHostWorld();
    await world.startHost();
    phone = freshPhone();
    const session = await createSession(world.adapters);
    sessionId = session.id;
    await linkByQr(world, session, phone);
    world.sim.events.on('stanza', ({ direction, node }: StanzaEvent) => {
      if (direction === 'in' && node.tag === 'ack' && node.attrs.class === 'notification' && node.attrs.id)
        acked.add(node.attrs.id);
    });
    world.sim.events.on('login', (e) => logins.push(e.phone));
  }, 90_000);
  afterAll(async () => world?.stop(), 60_000);

  it('acks each one, stays connected without a new login, and still receives', async () => {
    const sent = [
      ...world.sim.pushOddNotification(phone, 'brand_new_feature', [{ tag: 'whatever', attrs: { x: '1' } }]),
      ...world.sim.pushOddNotification(phone, 'mex', [
        { tag: 'update', attrs: { op_name: 'NotificationUserReachoutTimelockUpdate' }, text: '{not json' },
      ]),
      ...world.sim.pushOddNotification(phone, 'companion_reg_refresh'),
      ...world.sim.pushOddNotification(phone, 'link_code_companion_reg'),
      ...world.sim.pushOddNotification(phone, 'devices', [{ tag: 'garbage' }]),
    ];
    expect(sent).toHaveLength(5);
    await until(
      async () => sent.filter((id) => acked.has(id)),
      (ids) => ids.length === sent.length,
      'every odd notification acked',
      15_000,
    );

    const contact = freshPhone();
    const entry = await world.sim.contactSend(contact, phone, 'still listening');
    await until(
      async () => world.adapters.messages.findByWaMessageId(sessionId, entry.id),
      (m) => m?.direction === 'inbound',
      'the next message stored',
      15_000,
    );
    const session = await sessionNow(world.adapters, sessionId);
    expect(session.status).toBe('connected');
    expect(session.lastError).toBeUndefined();
    expect(logins).toHaveLength(0);
  });
});
