import { deflateSync } from 'node:zlib';
import { proto } from '@whiskeysockets/baileys';
import type { Account, LinkedDevice } from '../world/types.js';
import { pnJid, lidJid } from '../world/world.js';
import { newMessageId } from './context.js';
import type { SimContext } from './context.js';
import { shareAppStateKey } from './phone-app-state.js';
import { deliverFromPeer } from './receive.js';

/**
 * What a real phone does right after linking: it pushes an INITIAL_BOOTSTRAP history sync to the companion.
 * Without it Baileys waits 20 s on its first login before going online. The payload is inline (no media host)
 * and carries the contacts' push names and pn<->lid mappings, and nothing else.
 */
export const scheduleHistoryBootstrap = (ctx: SimContext, account: Account, device: LinkedDevice): void => {
  device.historyBootstrapped = true;
  setTimeout(() => {
    // The real phone shares its app-state sync key first, so the companion can read the collections it syncs next.
    shareAppStateKey(ctx, account, device)
      .then(() => pushHistoryBootstrap(ctx, account, device))
      .catch((error: unknown) => ctx.events.emit('problem', { error }));
  }, ctx.options.historyBootstrapDelayMs);
};

const pushHistoryBootstrap = async (
  ctx: SimContext,
  account: Account,
  device: LinkedDevice,
): Promise<void> => {
  if (!account.devices.has(device.id)) return;
  const contacts = [...ctx.world.contacts.values()];
  const syncType = proto.HistorySync.HistorySyncType.INITIAL_BOOTSTRAP;
  const history = proto.HistorySync.encode({
    syncType,
    conversations: [],
    pushnames: contacts.map((c) => ({ id: pnJid(c.phone), pushname: c.name })),
    phoneNumberToLidMappings: contacts.map((c) => ({ pnJid: pnJid(c.phone), lidJid: lidJid(c.lid) })),
  }).finish();
  const message: proto.IMessage = {
    protocolMessage: {
      type: proto.Message.ProtocolMessage.Type.HISTORY_SYNC_NOTIFICATION,
      historySyncNotification: {
        syncType,
        chunkOrder: 0,
        progress: 100,
        initialHistBootstrapInlinePayload: deflateSync(history),
      },
    },
  };
  await deliverFromPeer(ctx, account.primary, account, device, message, {
    id: newMessageId(),
    from: pnJid(account.phone),
    type: 'text',
    category: 'peer',
    notify: account.name,
    push_priority: 'high_force',
  });
};
