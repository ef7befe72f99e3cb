/**
 * The session host pairs against today's WhatsApp (dossier items 1, 2, 7): through `companion_reg_refresh` (QR
 * re-drawn with a rotated adv secret, not counted as a refresh), through a `refresh_code` rotation (a new code
 * under the same request), and a refused code request reaches the API caller as `pairing_code_rejected`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WsServerFrameSchema, type WsServerFrame } from '../../../shared/contracts/ws-frames.js';
import { ConflictError } from '../../../shared/domain/errors.js';
import type { WsFrame } from '../../../shared/ports/ws-pusher.js';
import { HostDoorbell } from '../../../shared/services/host-doorbell.js';
import { requestPairingCode } from '../../../shared/services/sessions.js';
import { sleep } from '../../../shared/services/deps.js';
import type { SessionHost } from '../../../session-host/host.js';
import {
  createSession,
  freshPhone,
  scanSessionQr,
  sessionNow,
  startHostWorld,
  until,
  type HostWorld,
} from './support.js';

const secretOf = (qr: string): string => qr.split(',')[3] ?? '';
const refOf = (qr: string): string => qr.slice(qr.lastIndexOf('#') + 1).split(',')[0] ?? '';

describe('session host: pairing against today’s server', () => {
  let world: HostWorld;
  let host: SessionHost;
  const frames: { sessionId: string; frame: WsFrame }[] = [];
  const framesOf = (sessionId: string): WsServerFrame[] =>
    frames.filter((f) => f.sessionId === sessionId).map((f) => WsServerFrameSchema.parse(f.frame));

  beforeAll(async () => {
    world = await startHostWorld();
    host = await world.startHost(
      {},
      {
        decorateAdapters: (adapters) => ({
          ...adapters,
          ws: {
            pushToSession: async (sessionId, frame) => {
              frames.push({ sessionId, frame });
              return adapters.ws.pushToSession(sessionId, frame);
            },
          },
        }),
      },
    );
  }, 120_000);
  afterAll(async () => world?.stop(), 60_000);

  const atQrStage = async () => {
    const session = await createSession(world.adapters);
    const withQr = await until(
      () => sessionNow(world.adapters, session.id),
      (s) => s.status === 'qr' && s.qr !== undefined,
      'the QR stage',
    );
    return { session, qr: withQr.qr! };
  };

  it('links by QR through companion_reg_refresh: same ref, new secret, same refresh number', async () => {
    const phone = freshPhone();
    const { session, qr } = await atQrStage();
    const acked = new Promise<boolean>((resolve) =>
      world.sim.events.once('companion-reg-refresh', (e) => resolve(e.acked)),
    );
    expect((await world.sim.scanQr(qr.code, phone)).outcome).toBe('refreshed');
    const redrawn = await until(
      () => sessionNow(world.adapters, session.id),
      (s) => s.qr !== undefined && s.qr.code !== qr.code,
      'the re-drawn QR',
    );
    expect(await acked).toBe(true);
    expect(refOf(redrawn.qr!.code)).toBe(refOf(qr.code));
    expect(secretOf(redrawn.qr!.code)).not.toBe(secretOf(qr.code));
    // Not a new QR rotation: it neither counts toward APP_QR_REFRESH_LIMIT nor extends the ref's life.
    expect(redrawn.qr).toMatchObject({ refresh: qr.refresh, expiresAt: qr.expiresAt });
    expect((await world.sim.scanQr(redrawn.qr!.code, phone)).outcome).toBe('paired');
    const connected = await until(
      () => sessionNow(world.adapters, session.id),
      (s) => s.status === 'connected',
      'connected after the second scan',
    );
    expect(connected.phone).toBe(phone);
    const qrFrames = framesOf(session.id).filter((f) => f.type === 'session.qr');
    expect(qrFrames.map((f) => (f.type === 'session.qr' ? [f.qr, f.refresh] : []))).toEqual([
      [qr.code, 1],
      [redrawn.qr!.code, 1],
    ]);
  }, 60_000);

  it('follows refresh_code: a new code under the same request pairs', async () => {
    const phone = freshPhone();
    world.sim.addAccount(phone);
    const { session } = await atQrStage();
    await world.adapters.commandQueue.send(host.queueUrl, {
      type: 'session.pairing-code',
      tenantId: session.tenantId,
      sessionId: session.id,
      sentAt: new Date().toISOString(),
      phone,
      requestId: 'req-rotate',
    });
    const first = await until(
      () => sessionNow(world.adapters, session.id),
      (s) => s.pairingCode?.requestId === 'req-rotate',
      'the first code',
    );
    await world.sim.rotatePairingCode(phone);
    const second = await until(
      () => sessionNow(world.adapters, session.id),
      (s) => s.pairingCode !== undefined && s.pairingCode.code !== first.pairingCode!.code,
      'the rotated code',
    );
    expect(second.pairingCode?.requestId).toBe('req-rotate');
    const codeFrames = framesOf(session.id).filter((f) => f.type === 'session.pairing_code');
    expect(codeFrames.map((f) => (f.type === 'session.pairing_code' ? [f.code, f.refresh] : []))).toEqual([
      [first.pairingCode!.code, 1],
      [second.pairingCode!.code, 2],
    ]);
    await world.sim.enterPairingCode(phone, second.pairingCode!.code);
    const connected = await until(
      () => sessionNow(world.adapters, session.id),
      (s) => s.status === 'connected',
      'connected after the new code',
    );
    expect(connected.phone).toBe(phone);
  }, 60_000);

  it('a code request WhatsApp refuses answers the API caller with pairing_code_rejected; QR still links', async () => {
    const phone = freshPhone();
    const { session } = await atQrStage();
    world.sim.injectFault({ type: 'refuse-pairing-code', phone });
    const owned = await sessionNow(world.adapters, session.id);
    const deps = {
      repos: { sessions: world.adapters.sessions },
      doorbell: new HostDoorbell(world.adapters.commandQueue, { warn: () => undefined }),
      now: Date.now,
      sleep,
      pairingWaitMs: 15_000,
    };
    const started = Date.now();
    const refusal = await requestPairingCode(deps, owned.tenantId, session.id, phone).then(
      () => new Error('a code came back'),
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(ConflictError);
    expect((refusal as ConflictError).detail).toMatch(/pairing_code_rejected.*400 bad-request/);
    expect(Date.now() - started).toBeLessThan(10_000);
    // Recorded on the session; it keeps showing QRs, so the user can still link that way.
    const after = await sessionNow(world.adapters, session.id);
    expect(after.lastError?.code).toBe('pairing_code_rejected');
    expect(after.pairingCode).toBeUndefined();
    expect(after.status).toBe('qr');
    expect(host.hostId).toBe(after.owner);
    await scanSessionQr(world.sim, world.adapters, session.id, phone);
    await until(
      () => sessionNow(world.adapters, session.id),
      (s) => s.status === 'connected',
      'linked by QR after the refused code',
    );
  }, 60_000);
});
