/**
 * The session host against the simulator with real Baileys: linking by QR (the simulated phone scans the QR the
 * host wrote onto the session item) and by pairing code (a `session.pairing-code` command), and a host restart
 * after which the session is connected again from the stored credentials, without a QR.
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { BufferJSON } from '@whiskeysockets/baileys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WsServerFrameSchema } from '../../../shared/contracts/ws-frames.js';
import type { DomainEvent } from '../../../shared/domain/events.js';
import type { WsFrame } from '../../../shared/ports/ws-pusher.js';
import { credentialsKeyPrefix } from '../../../shared/ports/credentials-eraser.js';
import type { SessionHost } from '../../../session-host/host.js';
import { credentialsKey } from '../../../session-host/legacy-credentials.js';
import {
  createSession,
  credentialItemKeys,
  freshPhone,
  linkByQr,
  sessionNow,
  startHostWorld,
  storedAuthObject,
  storedCreds,
  until,
  type HostWorld,
} from './support.js';

describe('session host: linking and restart', () => {
  let world: HostWorld;
  let host: SessionHost;

  // What the first host tells the world, recorded on the way to the real bus and WebSocket API.
  const events: DomainEvent[] = [];
  const frames: { sessionId: string; frame: WsFrame }[] = [];

  beforeAll(async () => {
    world = await startHostWorld();
    host = await world.startHost(
      {},
      {
        decorateAdapters: (adapters) => ({
          ...adapters,
          eventBus: {
            publish: async (batch) => {
              events.push(...batch);
              await adapters.eventBus.publish(batch);
            },
          },
          ws: {
            pushToSession: async (sessionId, frame) => {
              frames.push({ sessionId, frame });
              return adapters.ws.pushToSession(sessionId, frame);
            },
          },
        }),
      },
    );
  }, 60_000);
  afterAll(async () => world?.stop(), 60_000);

  it('links by QR: the QR is on the session item, then connected with the phone, QR cleared', async () => {
    const phone = freshPhone();
    const session = await createSession(world.adapters);
    const connected = await linkByQr(world, session, phone);

    expect(connected.owner).toBe(host.hostId);
    expect(connected.phone).toBe(phone);
    expect(connected.qr).toBeUndefined();
    expect(connected.lastError).toBeUndefined();
    // Credentials are stored encrypted and readable by the next owner.
    const stored = await storedCreds(world.adapters, session.id);
    expect(stored?.me?.id).toContain(phone.slice(1));
    expect(await credentialItemKeys(world, session.id)).toEqual(
      expect.arrayContaining(['creds', 'dataKey', expect.stringMatching(/^pre-key#/)]),
    );
    // Nothing on S3 any more: the bucket holds only sessions not migrated yet.
    const objects = await world.adapters.clients.s3.send(
      new ListObjectsV2Command({
        Bucket: world.cloud.stack.credentialsBucket,
        Prefix: credentialsKeyPrefix(session.id),
      }),
    );
    expect(objects.Contents ?? []).toEqual([]);
    // The health endpoint counts it.
    const health = (await (await fetch(host.healthUrl)).json()) as {
      sessions: { byStatus: Record<string, number> };
    };
    expect(health.sessions.byStatus.connected).toBeGreaterThanOrEqual(1);

    // Browsers got the QR that was scanned and the status changes, in the shared frame contract.
    const mine = frames
      .filter((f) => f.sessionId === session.id)
      .map((f) => WsServerFrameSchema.parse(f.frame));
    const qrFrames = mine.filter((f) => f.type === 'session.qr');
    expect(qrFrames.length).toBeGreaterThanOrEqual(1);
    expect(qrFrames[0]).toMatchObject({ sessionId: session.id, refresh: 1 });
    expect(mine).toContainEqual(
      expect.objectContaining({ type: 'session.status', status: 'connected', phone }),
    );
    // session.status events went to the bus: starting -> qr -> pairing -> connected.
    const statuses = await until(
      () => events.filter((e) => e.sessionId === session.id && e.type === 'session.status'),
      (list) => list.some((e) => e.type === 'session.status' && e.data.status === 'connected'),
      'the connected event',
    );
    expect(statuses.map((e) => (e.type === 'session.status' ? e.data.status : e.type))).toEqual([
      'qr',
      'pairing',
      'connected',
    ]);
    expect(statuses.every((e) => e.tenantId === session.tenantId)).toBe(true);
  }, 60_000);

  it('links by pairing code on a session.pairing-code command', async () => {
    const phone = freshPhone();
    world.sim.addAccount(phone);
    const session = await createSession(world.adapters);
    await until(
      () => sessionNow(world.adapters, session.id),
      (s) => s.status === 'qr',
      'the QR stage',
    );
    await world.adapters.commandQueue.send(host.queueUrl, {
      type: 'session.pairing-code',
      tenantId: session.tenantId,
      sessionId: session.id,
      sentAt: new Date().toISOString(),
      phone,
      requestId: 'req-1',
    });
    const withCode = await until(
      () => sessionNow(world.adapters, session.id),
      (s) => s.pairingCode?.requestId === 'req-1',
      'the pairing code on the session item',
    );
    expect(withCode.status).toBe('pairing');
    expect(withCode.qr).toBeUndefined();
    expect(withCode.pairingCode?.code).toMatch(/^[A-Z0-9]{8}$/);
    await world.sim.enterPairingCode(phone, withCode.pairingCode!.code);
    const connected = await until(
      () => sessionNow(world.adapters, session.id),
      (s) => s.status === 'connected',
      'connected after the code',
    );
    expect(connected.phone).toBe(phone);
    expect(connected.pairingCode).toBeUndefined();
  }, 60_000);

  it('a restarted host reconnects the session from stored credentials, without a QR', async () => {
    const phone = freshPhone();
    const session = await createSession(world.adapters);
    await linkByQr(world, session, phone);

    await host.stop();
    const released = await sessionNow(world.adapters, session.id);
    expect(released.owner).toBeUndefined();
    expect(released.desired).toBe('running');

    const qrRefs: unknown[] = [];
    const logins: string[] = [];
    const onQr = (e: unknown) => qrRefs.push(e);
    const onLogin = (e: { phone: string }) => logins.push(e.phone);
    world.sim.events.on('qr-refs', onQr);
    world.sim.events.on('login', onLogin);
    try {
      host = await world.startHost();
      // The item still says `connected` from before the restart: wait for the device's login first.
      await until(
        () => logins.map((p) => `+${p.replace(/^\+/, '')}`),
        (l) => l.includes(phone),
        'the login with stored credentials',
      );
      const back = await until(
        () => sessionNow(world.adapters, session.id),
        (s) => s.status === 'connected' && s.owner === host.hostId,
        'connected on the new host',
      );
      expect(back.phone).toBe(phone);
      expect(back.qr).toBeUndefined();
      expect(qrRefs).toHaveLength(0);
    } finally {
      world.sim.events.off('qr-refs', onQr);
      world.sim.events.off('login', onLogin);
    }
  }, 60_000);
  it('a session in the one-object layout (before per-key items) migrates on its first attach, without a QR', async () => {
    const phone = freshPhone();
    const session = await createSession(world.adapters);
    await linkByQr(world, session, phone);
    await host.stop();
    // Turn the session back into the old layout: one encrypted object on S3, no items.
    const legacy = await storedAuthObject(world, session.id);
    expect(Object.keys(legacy.keys['pre-key'] ?? {}).length).toBeGreaterThan(10);
    await world.adapters.legacyCredentials.put(
      credentialsKey(session.id),
      Buffer.from(JSON.stringify(legacy, BufferJSON.replacer)),
      { ifAbsent: true },
    );
    await world.adapters.credentials.erase(session.id);
    expect(await credentialItemKeys(world, session.id)).toEqual([]);

    const qrRefs: unknown[] = [];
    const logins: string[] = [];
    const onQr = (e: unknown) => qrRefs.push(e);
    const onLogin = (e: { phone: string }) => logins.push(e.phone);
    world.sim.events.on('qr-refs', onQr);
    world.sim.events.on('login', onLogin);
    try {
      host = await world.startHost();
      await until(
        () => logins.map((p) => `+${p.replace(/^\+/, '')}`),
        (l) => l.includes(phone),
        'the login with the migrated credentials',
      );
      await until(
        () => sessionNow(world.adapters, session.id),
        (s) => s.status === 'connected' && s.owner === host.hostId,
        'connected on the new host',
      );
      expect(qrRefs).toHaveLength(0);
      // Migrated: every key is an item again, the object is gone.
      const items = await credentialItemKeys(world, session.id);
      expect(items).toEqual(expect.arrayContaining(['creds', 'dataKey']));
      expect(items.filter((k) => k.startsWith('pre-key#')).length).toBeGreaterThanOrEqual(
        Object.keys(legacy.keys['pre-key'] ?? {}).length,
      );
      expect(await world.adapters.legacyCredentials.get(credentialsKey(session.id))).toBeNull();
      expect((await storedCreds(world.adapters, session.id))?.me?.id).toContain(phone.slice(1));
    } finally {
      world.sim.events.off('qr-refs', onQr);
      world.sim.events.off('login', onLogin);
    }
  }, 60_000);

  it('a dropped connection reconnects by itself from stored credentials, without a QR', async () => {
    const phone = freshPhone();
    const session = await createSession(world.adapters);
    await linkByQr(world, session, phone);
    const qrRefs: unknown[] = [];
    const onQr = (e: unknown) => qrRefs.push(e);
    world.sim.events.on('qr-refs', onQr);
    try {
      const logins: string[] = [];
      const onLogin = (e: { phone: string }) => logins.push(e.phone);
      world.sim.events.on('login', onLogin);
      world.sim.injectFault({ type: 'drop', phone });
      await until(
        async () =>
          logins.length > 0 && (await sessionNow(world.adapters, session.id)).status === 'connected',
        Boolean,
        'connected again after the drop',
      );
      world.sim.events.off('login', onLogin);
      expect(qrRefs).toHaveLength(0);
      expect((await sessionNow(world.adapters, session.id)).owner).toBe(host.hostId);
    } finally {
      world.sim.events.off('qr-refs', onQr);
    }
  }, 60_000);
});
