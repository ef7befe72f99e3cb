import { createHash } from 'node:crypto';
import { node, nowSeconds } from '../wire/nodes.js';
import type { Account, Contact } from '../world/types.js';
import { lidJid } from '../world/world.js';
import { newServerIqId, pushToDevice } from './context.js';
import type { SimContext } from './context.js';
import { contactDeviceIds } from './lid-addressing.js';

/**
 * A contact linked a new device: the server tells the devices of every account that shares a group with it
 * (`<notification type="devices" from="<lid>@lid"><add device_hash><device jid="<lid>:N@lid"/></add>`), so that a
 * client drops or extends its cached device list and gives its sender key to the new device on its next group send.
 * LID-addressed, as today's server announces the devices of members of LID groups; returns how many accounts heard.
 */
export const announceContactDevice = (ctx: SimContext, contact: Contact, deviceId: number): number => {
  const accounts = new Set<Account>();
  for (const group of ctx.world.groups.of(contact.phone)) {
    for (const phone of group.participants.keys()) {
      const account = ctx.world.account(phone);
      if (account) accounts.add(account);
    }
  }
  const hash = createHash('sha256').update(contactDeviceIds(contact).join(',')).digest('base64').slice(0, 10);
  const n = node(
    'notification',
    { from: lidJid(contact.lid), type: 'devices', id: newServerIqId(), t: nowSeconds() },
    [
      node('add', { device_hash: `2:${hash}` }, [
        node('device', { jid: lidJid(contact.lid, deviceId), 'key-index': String(deviceId) }),
      ]),
    ],
  );
  for (const account of accounts)
    for (const device of account.devices.values()) pushToDevice(ctx, account, device, n);
  return accounts.size;
};
