import type { proto } from '@whiskeysockets/baileys';
import { node, nowSeconds } from '../wire/nodes.js';
import { lidJid, pnJid } from '../world/world.js';
import { deviceKey, send } from './context.js';
import type { Session, SimContext } from './context.js';
import { scheduleHistoryBootstrap } from './history-sync.js';
import { flushOfflineQueue } from './offline-queue.js';
import { shareAppStateKey } from './phone-app-state.js';

/**
 * Login with saved credentials: the client names its user and device in the ClientPayload and proves it is that
 * device by its static Noise key. Unknown or removed devices get `failure 401` (Baileys: loggedOut).
 */
export const login = async (
  ctx: SimContext,
  session: Session,
  noiseKey: Buffer,
  payload: proto.ClientPayload,
): Promise<void> => {
  const phone = String(payload.username ?? '');
  const deviceId = Number(payload.device ?? 0);
  const account = ctx.world.account(phone);
  const device = account?.devices.get(deviceId);
  if (!account || !device || !device.noiseKey.equals(noiseKey)) {
    ctx.log('login rejected: unknown device', { phone, deviceId });
    await session.conn.end(node('failure', { reason: '401', location: 'sim' }));
    return;
  }
  const refusal = ctx.faults.loginRefusal(phone);
  if (refusal !== undefined) {
    ctx.events.emit('login-refused', { phone, deviceId, reason: refusal });
    await session.conn.end(node('failure', { reason: String(refusal), location: 'sim' }));
    return;
  }

  const key = deviceKey(phone, deviceId);
  const previous = ctx.online.get(key);
  if (previous && previous !== session && previous.conn.isOpen) {
    // One socket per device: the newcomer wins, the old one is told it was replaced (Baileys: 440).
    ctx.events.emit('replaced', {
      phone,
      deviceId,
      jid: pnJid(phone, deviceId),
      connectionId: previous.conn.id,
    });
    previous.account = undefined;
    previous.device = undefined;
    void previous.conn.end(node('stream:error', {}, [node('conflict', { type: 'replaced' })]));
  }
  session.account = account;
  session.device = device;
  ctx.online.set(key, session);

  const t = nowSeconds();
  await send(
    session,
    node('success', {
      t,
      lid: lidJid(account.lid, deviceId),
      props: '1',
      abprops: '1',
      location: 'sim',
      creation: t,
    }),
  );
  // Baileys buffers every event until the offline marker, so it is sent even when nothing was queued.
  const offlineCount = await flushOfflineQueue(ctx, session, device);
  ctx.events.emit('login', {
    phone,
    deviceId,
    jid: pnJid(phone, deviceId),
    connectionId: session.conn.id,
    offlineCount,
  });
  if (!device.historyBootstrapped) scheduleHistoryBootstrap(ctx, account, device);
  // A provisioned device skips the bootstrap (its creds say history is synced) but needs the key as much as a
  // paired one: without it every app-state patch it makes or reads fails. The phone shares it at first login.
  else if (!device.appStateKeyShared) {
    shareAppStateKey(ctx, account, device).catch((error: unknown) => ctx.events.emit('problem', { error }));
  }
};
