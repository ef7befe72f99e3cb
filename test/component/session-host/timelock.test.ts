/**
 * The reach-out timelock through the product (dossier item 4): a session host with real Baileys on the
 * simulator's timelocked account, the real HTTP API and the webhook pipeline with a real receiver. The session
 * shows `restriction`, a `session.restricted` webhook arrives, sends to contacts who never wrote fail at once
 * with `reachout_timelocked` (nothing reaches WhatsApp), a 463 fails the message the same way, and once the lock
 * is lifted sends flow again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localClientOptions } from '../../../local/local-aws.js';
import { loadHostConfig } from '../../../session-host/config.js';
import { startSessionHost, type SessionHost } from '../../../session-host/host.js';
import { WhatsAppSimulator } from '../../../simulator/index.js';
import type { ApiClient } from '../../support/api-client.js';
import { eventually } from '../../support/api-client.js';
import {
  startEventsStack,
  startReceiver,
  type EventsStack,
  type Receiver,
} from '../../support/events-stack.js';
import { FAST_HOST_ENV, freshPhone } from './support.js';
import { scanApiQr } from '../../support/scan-api-qr.js';

const STRANGER = '+15554639001';
const CUSTOMER = '+15554639002';
const digits = (e164: string): string => e164.slice(1);

interface SessionBody {
  status: string;
  restriction?: { active: boolean; until?: string; type: string };
}
interface MessageBody {
  id: string;
  status: string;
  error?: { code: string; message: string };
}
interface Webhook {
  type: string;
  data: Record<string, unknown>;
}

describe('session host on a timelocked account', () => {
  const sim = new WhatsAppSimulator();
  const account = freshPhone();
  const acks: { id: string; error?: number }[] = [];
  let stack: EventsStack;
  let host: SessionHost;
  let receiver: Receiver;
  let api: ApiClient;
  let sessionId: string;
  const until = Math.floor(Date.now() / 1000) + 3600;

  const webhooks = (): Webhook[] => receiver.received.map((r) => JSON.parse(r.body) as Webhook);
  const send = async (to: string, body: string): Promise<string> => {
    const sent = await api.post<MessageBody>(`/v1/sessions/${sessionId}/messages`, {
      to,
      type: 'text',
      text: { body },
    });
    expect(sent.status).toBe(202);
    return sent.body.id;
  };
  const settled = (messageId: string): Promise<MessageBody> =>
    eventually(`message ${messageId} settled`, async () => {
      const m = await api.get<MessageBody>(`/v1/sessions/${sessionId}/messages/${messageId}`);
      return ['failed', 'sent', 'delivered', 'read'].includes(m.body.status) ? m.body : undefined;
    });
  const session = (): Promise<SessionBody> =>
    api.get<SessionBody>(`/v1/sessions/${sessionId}`).then((r) => r.body);

  beforeAll(async () => {
    stack = await startEventsStack();
    await sim.start({ port: 0 });
    sim.events.on('message-ack', (a: { phone: string; id: string; error?: number }) => {
      if (a.phone === digits(account)) acks.push(a);
    });
    sim.addContact(digits(STRANGER));
    sim.addContact(digits(CUSTOMER));
    const env = {
      ...stack.cloud.env,
      ...FAST_HOST_ENV,
      APP_WA_URL: sim.wsUrl,
      APP_WA_ROOT_PUBLIC_KEY: sim.rootPublicKey,
      APP_SEND_MIN_GAP_MS: '0',
      APP_SEND_JITTER_MS: '0',
    };
    host = await startSessionHost({
      config: loadHostConfig(env),
      env,
      clientOptions: localClientOptions(stack.cloud.stack),
      commandWaitSeconds: 1,
    });
    receiver = await startReceiver();
    ({ api } = await stack.tenant());
    const hook = await api.post('/v1/webhooks', {
      url: receiver.url,
      events: ['session.restricted', 'message.status'],
    });
    expect(hook.status).toBe(201);

    // WhatsApp locked the account before this companion linked: the host learns it by itself.
    sim.setReachoutTimelock(digits(account), { active: true, until });
    const created = await api.post<{ id: string }>('/v1/sessions', { name: 'timelocked' });
    sessionId = created.body.id;
    await scanApiQr(sim, api, sessionId, digits(account));
    await eventually('connected', async () => ((await session()).status === 'connected' ? true : undefined));
  });

  afterAll(async () => {
    await host?.stop();
    await receiver?.stop();
    await sim.stop();
    await stack?.stop();
  });

  it('shows the restriction on the session and delivers a session.restricted webhook', async () => {
    const shown = await eventually('restriction on the session', async () => (await session()).restriction);
    expect(shown).toEqual({
      active: true,
      until: new Date(until * 1000).toISOString(),
      type: 'RESTRICT_ALL_COMPANIONS',
    });
    const hook = await eventually('session.restricted webhook', async () =>
      webhooks().find((w) => w.type === 'session.restricted'),
    );
    expect(hook.data).toEqual(shown);
  });

  it('fails a send to a contact who never wrote at once, without a reach-out reaching WhatsApp', async () => {
    const id = await send(STRANGER, 'new offer for you');
    const failed = await settled(id);
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('reachout_timelocked');
    expect(acks).toEqual([]);
    expect(sim.inbox(digits(STRANGER))).toEqual([]);
    const hook = await eventually('message.status failed webhook', async () =>
      webhooks().find((w) => w.type === 'message.status' && w.data.messageId === id),
    );
    expect(hook.data).toMatchObject({ status: 'failed', error: { code: 'reachout_timelocked' } });
  });

  it('a 463 from WhatsApp (a contact whose token went stale) fails the message as reachout_timelocked', async () => {
    await sim.contactSend(digits(CUSTOMER), digits(account), 'is my order ready?');
    await eventually('the inbound message in the chat', async () => {
      const r = await api.get<{ items: { direction: string }[] }>(
        `/v1/sessions/${sessionId}/messages?chat=${encodeURIComponent(CUSTOMER)}`,
      );
      return r.body.items?.some((m) => m.direction === 'inbound') ? true : undefined;
    });
    sim.setTrustToken(digits(account), digits(CUSTOMER), false);
    const id = await send(CUSTOMER, 'yes, it is');
    const failed = await settled(id);
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'reachout_timelocked' } });
    // One attempt only: a retry would count as another reach-out.
    expect(acks.filter((a) => a.error === 463)).toHaveLength(1);
    expect(sim.inbox(digits(CUSTOMER))).toEqual([]);
  });

  it('once WhatsApp lifts the lock the restriction clears (webhook again) and sends are delivered', async () => {
    sim.setReachoutTimelock(digits(account), { active: false });
    await eventually('restriction cleared', async () =>
      (await session()).restriction === undefined ? true : undefined,
    );
    const lifted = await eventually('session.restricted lifted webhook', async () =>
      webhooks().find((w) => w.type === 'session.restricted' && w.data.active === false),
    );
    expect(lifted.data).toEqual({ active: false, type: 'RESTRICT_ALL_COMPANIONS' });

    const id = await send(STRANGER, 'welcome back');
    expect((await settled(id)).status).toBe('sent');
    expect(sim.inbox(digits(STRANGER)).map((e) => e.text)).toEqual(['welcome back']);
  });

  it('a lock that runs out clears itself at `until` (WhatsApp sends nothing then)', async () => {
    const soon = Math.floor(Date.now() / 1000) + 3;
    sim.setReachoutTimelock(digits(account), { active: true, until: soon });
    await eventually('the short lock on the session', async () =>
      (await session()).restriction?.until === new Date(soon * 1000).toISOString() ? true : undefined,
    );
    await eventually('restriction cleared at until', async () =>
      (await session()).restriction === undefined ? true : undefined,
    );
    expect(Date.now()).toBeGreaterThanOrEqual(soon * 1000);
    await eventually('a second lifted webhook', async () => {
      const lifted = webhooks().filter((w) => w.type === 'session.restricted' && w.data.active === false);
      return lifted.length === 2 ? true : undefined;
    });
    const id = await send(STRANGER, 'after the lock ran out');
    expect((await settled(id)).status).toBe('sent');
  });
});
