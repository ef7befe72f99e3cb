import { randomBytes } from 'node:crypto';
import { node, nowSeconds } from '../wire/nodes.js';
import type { BinaryNode } from '../wire/nodes.js';
import type { Account, Contact, LinkedDevice } from '../world/types.js';
import { pnJid } from '../world/world.js';
import { newMessageId, send } from './context.js';
import type { Session, SimContext } from './context.js';

const STATUS_BROADCAST = 'status@broadcast';

const isStatus = (n: BinaryNode | undefined): n is BinaryNode =>
  n?.tag === 'message' && n.attrs.from === STATUS_BROADCAST;

const asOffline = (n: BinaryNode): BinaryNode => ({ ...n, attrs: { ...n.attrs, offline: '1' } });

/**
 * Puts a status update from `contact` that no client can decrypt (its ciphertext is noise, as when the
 * poster's sender key never reached this device) at the head of every offline queue of the account's companions.
 * Returns the status's message id.
 */
export const enqueueUndecryptableStatus = (account: Account, contact: Contact): string => {
  const id = newMessageId();
  const status = node(
    'message',
    {
      id,
      from: STATUS_BROADCAST,
      participant: pnJid(contact.phone),
      type: 'text',
      t: nowSeconds(),
      notify: contact.name,
    },
    [node('enc', { v: '2', type: 'pkmsg' }, randomBytes(96))],
  );
  for (const device of account.devices.values()) device.offline.unshift(status);
  return id;
};

/**
 * The offline queue at login. Today's server delivers a status at the head of the queue alone and holds the rest
 * (and anything new) until the client acks it plainly (see onOfflineHeadAck). With the legacy switch
 * `no-offline-queue-stall` everything flows at once, as on the early-2026 server.
 */
export const flushOfflineQueue = async (
  ctx: SimContext,
  session: Session,
  device: LinkedDevice,
): Promise<number> => {
  device.offlineHold = undefined;
  const head = device.offline[0];
  if (isStatus(head) && !ctx.legacy.has('no-offline-queue-stall')) {
    device.offlineHold = head.attrs.id;
    await send(session, asOffline(head));
    return 1;
  }
  const queued = device.offline.splice(0);
  for (const n of queued) void send(session, asOffline(n));
  await send(session, offlineMarker(queued.length));
  return queued.length;
};

const offlineMarker = (count: number): BinaryNode =>
  node('ib', {}, [node('offline', { count: String(count) })]);

/**
 * A companion's ack of the held head of its offline queue. A plain ack releases the queue; an error ack (rc14
 * NACKs an undecryptable status with 500) leaves the status at the head, to be delivered first again at the next
 * login, and keeps everything behind it withheld.
 */
export const onOfflineHeadAck = async (ctx: SimContext, session: Session, ack: BinaryNode): Promise<void> => {
  const { account, device } = session;
  if (!account || !device || device.offlineHold === undefined || ack.attrs.id !== device.offlineHold) return;
  if (ack.attrs.class !== 'message') return;
  const error = ack.attrs.error;
  if (error) {
    ctx.log('offline queue stalled: head NACKed', { phone: account.phone, deviceId: device.id, error });
    ctx.events.emit('offline-stall', {
      phone: account.phone,
      deviceId: device.id,
      messageId: ack.attrs.id,
      error,
    });
    await send(session, offlineMarker(1));
    return;
  }
  device.offlineHold = undefined;
  device.offline.shift();
  const rest = device.offline.splice(0);
  for (const n of rest) void send(session, asOffline(n));
  await send(session, offlineMarker(rest.length + 1));
  ctx.events.emit('offline-released', { phone: account.phone, deviceId: device.id, released: rest.length });
};
