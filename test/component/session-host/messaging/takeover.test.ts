/**
 * Exactly-once across a crash: two session host processes (as Fargate runs them), a burst of messages rung on
 * the owner, the owner SIGKILLed in the middle of it. The other host takes the session over (no QR), drains
 * what is left, and the contact has every message exactly once, in order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLog } from '../../../../local/log.js';
import { startLocalProduct, type RunningLocalProduct } from '../../../../local/product.js';
import type { HostAdapters } from '../../../../session-host/compose.js';
import { waMessageIdFor } from '../../../../session-host/messaging/index.js';
import { nowIso } from '../../../../shared/domain/ids.js';
import type { Message } from '../../../../shared/domain/message.js';
import { FAST_HOST_ENV, createSession, freshPhone, scanSessionQr, sessionNow, until } from '../support.js';
import { queueMessage } from './support.js';
import { cloudAdapters } from '../../../support/cloud-adapters.js';

const BURST = 15;
const KILL_AFTER = 5;

describe('a host killed in the middle of a burst', () => {
  let product: RunningLocalProduct;
  let adapters: HostAdapters;

  beforeAll(async () => {
    product = await startLocalProduct({
      simulator: true,
      hosts: 2,
      // Paced so the kill lands mid-burst; everything else as the failover test.
      hostEnv: {
        ...FAST_HOST_ENV,
        APP_HEALTH_PORT: '0',
        APP_SEND_MIN_GAP_MS: '150',
        APP_SEND_JITTER_MS: '0',
      },
      hostOutput: process.env.HOST_LOG ? 'inherit' : 'ignore',
      seedTenant: false,
      stackFile: false,
      log: silentLog,
    });
    adapters = cloudAdapters(product.cloud);
  }, 90_000);

  afterAll(async () => {
    adapters?.destroy();
    await product?.stop();
  }, 90_000);

  it('every message reaches the contact exactly once, in order, on the new host', async () => {
    const sim = product.simulator!;
    const contact = freshPhone();
    sim.addContact(contact, 'Burst Receiver');
    const session = await createSession(adapters);
    await scanSessionQr(sim, adapters, session.id, freshPhone(), 30_000);
    const linked = await until(
      () => sessionNow(adapters, session.id),
      (s) => s.status === 'connected' && s.owner !== undefined,
      'connected',
      30_000,
    );
    const victim = product.hosts.find((h) => h.hostId === linked.owner)!;
    const survivor = product.hosts.find((h) => h !== victim)!;

    // Listening before anything is queued: the owner may send a queued message before its doorbell rings (a
    // backlog drain after a reconnect), and the count below must see every delivery.
    const received: string[] = [];
    const duplicates: string[] = [];
    let killing: Promise<void> | undefined;
    sim.events.on('message', ({ contact: to, entry }) => {
      if (`+${to.replace(/^\+/, '')}` !== contact) return;
      received.push(entry.id);
      if (received.length === KILL_AFTER) killing = product.stopHost(victim, 'SIGKILL');
    });
    sim.events.on('message-duplicate', ({ id }) => duplicates.push(id));
    const burst: Message[] = [];
    for (let i = 0; i < BURST; i++) {
      burst.push(
        await queueMessage(adapters, { tenantId: session.tenantId, sessionId: session.id }, contact, {
          type: 'text',
          text: { body: `burst ${i}` },
        }),
      );
    }
    const queueUrl = (await adapters.commandQueue.urlOf(victim.hostId))!;
    for (const m of burst) {
      // On a slow machine the kill can land while doorbells are still going out: the dead host's queue is gone
      // then, as the API's doorbells would be lost, and the survivor's drain finds the rest in DynamoDB.
      if (killing) break;
      await adapters.commandQueue.send(queueUrl, {
        type: 'message.send',
        tenantId: session.tenantId,
        sessionId: session.id,
        messageId: m.id,
        sentAt: nowIso(),
      });
    }

    await until(
      () => killing !== undefined,
      (k) => k,
      'the victim killed mid-burst',
      30_000,
    );
    await killing;
    // The kill landed mid-burst: the rest is the survivor's to send.
    const atKill = received.length;
    expect(atKill).toBeLessThan(BURST);
    const statuses = await until(
      () => Promise.all(burst.map(async (m) => (await adapters.messages.get(session.id, m.id))?.status)),
      (all) => all.every((s) => s === 'sent'),
      'every message sent',
      60_000,
    );
    expect(statuses).toHaveLength(BURST);
    expect((await sessionNow(adapters, session.id)).owner).toBe(survivor.hostId);

    const inbox = sim.inbox(contact);
    for (const m of burst) expect(inbox.filter((e) => e.id === waMessageIdFor(m.id))).toHaveLength(1);
    expect(inbox.map((e) => e.text)).toEqual(burst.map((_, i) => `burst ${i}`));
    expect(received.length).toBe(BURST);
    // Resends under the same WhatsApp id are possible (a send in flight at the kill); the contact dropped them.
    expect(duplicates.every((id) => burst.some((m) => waMessageIdFor(m.id) === id))).toBe(true);
    process.stderr.write(
      `${JSON.stringify({ burst: BURST, receivedAtKill: atKill, resendsDropped: duplicates.length })}\n`,
    );
  }, 150_000);
});
