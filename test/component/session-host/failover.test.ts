/**
 * Two session hosts as separate processes (`session-host/main.ts` under tsx, as Fargate runs them): SIGKILL the
 * one holding sessions, and its sessions connect on the other from their stored credentials, without a QR; the
 * dead host's command queue is swept once its heartbeat is gone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLog } from '../../../local/log.js';
import { startLocalProduct, type RunningLocalProduct } from '../../../local/product.js';
import type { HostAdapters } from '../../../session-host/compose.js';
import type { Session } from '../../../shared/domain/session.js';
import { FAST_HOST_ENV, createSession, freshPhone, scanSessionQr, sessionNow, until } from './support.js';
import { cloudAdapters } from '../../support/cloud-adapters.js';

describe('session host failover between processes', () => {
  let product: RunningLocalProduct;
  let adapters: HostAdapters;

  beforeAll(async () => {
    product = await startLocalProduct({
      simulator: true,
      hosts: 2,
      hostEnv: { ...FAST_HOST_ENV, APP_HEALTH_PORT: '0' },
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

  it('a SIGKILLed host: its sessions connect on the other host without a QR; its queue is swept', async () => {
    const sim = product.simulator!;
    const [first, second] = product.hosts;
    const phones = new Map<string, string>();
    const sessions: Session[] = [];
    for (let i = 0; i < 4; i++) {
      const session = await createSession(adapters);
      const phone = freshPhone();
      phones.set(session.id, phone);
      sessions.push(session);
      await scanSessionQr(sim, adapters, session.id, phone, 30_000);
    }
    const linked = await until(
      () => Promise.all(sessions.map((s) => sessionNow(adapters, s.id))),
      (all) => all.every((s) => s.status === 'connected'),
      'all sessions connected',
      30_000,
    );
    // Kill the host that holds the most sessions (all of them may sit on one host: claims race).
    const owned = (hostId: string) => linked.filter((s) => s.owner === hostId).length;
    const victim = owned(first!.hostId) >= owned(second!.hostId) ? first! : second!;
    const survivor = victim === first ? second! : first!;
    const moved = linked.filter((s) => s.owner === victim.hostId);
    expect(moved.length).toBeGreaterThan(0);
    expect(await adapters.commandQueue.urlOf(victim.hostId)).not.toBeNull();

    const qrRefs: unknown[] = [];
    const logins: string[] = [];
    sim.events.on('qr-refs', (e) => qrRefs.push(e));
    sim.events.on('login', (e) => logins.push(`+${e.phone.replace(/^\+/, '')}`));
    await product.stopHost(victim, 'SIGKILL');

    for (const s of moved) {
      await until(
        () => logins,
        (l) => l.includes(phones.get(s.id)!),
        `a login of ${s.id} on the survivor`,
        30_000,
      );
    }
    const after = await until(
      () => Promise.all(sessions.map((s) => sessionNow(adapters, s.id))),
      (all) => all.every((s) => s.status === 'connected' && s.owner === survivor.hostId),
      'every session connected on the survivor',
      30_000,
    );
    for (const s of after) expect(s.phone).toBe(phones.get(s.id));
    expect(qrRefs).toHaveLength(0);
    await until(
      () => adapters.commandQueue.urlOf(victim.hostId),
      (url) => url === null,
      'the dead host queue swept',
    );
  }, 120_000);
});
