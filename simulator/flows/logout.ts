import { jidDecode } from '@whiskeysockets/baileys';
import { childOf, iqResult, node } from '../wire/nodes.js';
import type { BinaryNode } from '../wire/nodes.js';
import type { Account } from '../world/types.js';
import { pnJid } from '../world/world.js';
import { deviceKey, requireLoggedIn, send } from './context.js';
import type { Session, SimContext } from './context.js';

/** md remove-companion-device: the companion logs itself out; Baileys then closes with 401 on its own. */
export const onRemoveCompanion = async (ctx: SimContext, session: Session, iq: BinaryNode): Promise<void> => {
  const { account } = requireLoggedIn(session);
  const jid = childOf(iq, 'remove-companion-device')?.attrs.jid ?? '';
  const deviceId = jidDecode(jid)?.device ?? 0;
  const removed = account.devices.get(deviceId);
  if (removed) {
    account.devices.delete(deviceId);
    ctx.online.delete(deviceKey(account.phone, deviceId));
    ctx.events.emit('logout', { phone: account.phone, deviceId, jid: pnJid(account.phone, deviceId) });
  }
  await send(session, iqResult(iq));
};

/**
 * The user removes companions from the phone's "Linked devices" screen: a connected one gets stream error 401
 * device_removed, and any later login with its creds gets failure 401.
 */
export const unlinkFromPhone = async (
  ctx: SimContext,
  account: Account,
  deviceId?: number,
): Promise<number[]> => {
  const ids =
    deviceId === undefined ? [...account.devices.keys()] : account.devices.has(deviceId) ? [deviceId] : [];
  const closing: Promise<void>[] = [];
  for (const id of ids) {
    account.devices.delete(id);
    const session = ctx.online.get(deviceKey(account.phone, id));
    ctx.online.delete(deviceKey(account.phone, id));
    ctx.events.emit('unlinked', { phone: account.phone, deviceId: id, jid: pnJid(account.phone, id) });
    if (session?.conn.isOpen) {
      session.account = undefined;
      session.device = undefined;
      closing.push(
        session.conn.end(
          node('stream:error', { code: '401' }, [node('conflict', { type: 'device_removed' })]),
        ),
      );
    }
  }
  await Promise.all(closing);
  return ids;
};
