/**
 * `<stream:error><ack id=…/></stream:error>`: today's server sometimes ends a companion's stream this way (reported
 * since 2026-09, blamed on a companion that did not ack a message it decrypted). The stream error has no `code`,
 * so rc14 reports it as 500 (`badSession`); the device stays linked and its next login works.
 */
import { node } from '../wire/nodes.js';
import type { Account } from '../world/types.js';
import { pnJid } from '../world/world.js';
import { deviceKey, newMessageId } from './context.js';
import type { SimContext } from './context.js';

/** Ends the stream of each connected device of `account` (or only `deviceId`); returns the device ids hit. */
export const endStreamsWithAck = async (
  ctx: SimContext,
  account: Account,
  deviceId?: number,
): Promise<number[]> => {
  const ids = deviceId === undefined ? [...account.devices.keys()] : [deviceId];
  const ended: number[] = [];
  const closing: Promise<void>[] = [];
  for (const id of ids) {
    const session = ctx.online.get(deviceKey(account.phone, id));
    if (!session?.conn.isOpen) continue;
    const ackId = newMessageId();
    ended.push(id);
    ctx.events.emit('stream-error-ack', {
      phone: account.phone,
      deviceId: id,
      jid: pnJid(account.phone, id),
      connectionId: session.conn.id,
      ackId,
    });
    closing.push(session.conn.end(node('stream:error', {}, [node('ack', { id: ackId })])));
  }
  await Promise.all(closing);
  return ended;
};
