import {
  chatModificationToAppPatch,
  decodePatches,
  encodeSyncdPatch,
  newLTHashState,
  proto,
  toNumber,
} from '@whiskeysockets/baileys';
import type { ChatModification, LTHashState } from '@whiskeysockets/baileys';
import { SimulatorError } from '../errors.js';
import { SYNCD_COLLECTIONS, type SyncdCollectionName } from '../world/syncd.js';
import type { Account, LinkedDevice } from '../world/types.js';
import { pnJid } from '../world/world.js';
import { announceCollectionChange } from './app-state.js';
import { newMessageId } from './context.js';
import type { SimContext } from './context.js';
import { deliverFromPeer } from './receive.js';

/**
 * The account's phone as an app-state client. It holds the account's app-state sync key and gives it to each
 * companion it links (`appStateSyncKeyShare`, as a real phone does right after pairing), and it can change a
 * chat's state itself: the patch is made with Baileys' own `encodeSyncdPatch` on top of the phone's state of the
 * collection (decoded from what the server holds, MACs checked), so its MACs are what a real phone's are.
 */

/** A change the phone's user makes to a chat. `mute.until`: ms since the epoch (-1: for ever); null unmutes. */
export type PhoneChatChange =
  | { action: 'archive'; archived: boolean }
  | { action: 'pin'; pinned: boolean }
  | { action: 'mute'; until: number | null }
  | { action: 'markRead'; read: boolean };

/** A chat's flags as the phone sees them, from the patches it could decode. */
export interface PhoneChatFlags {
  jid: string;
  archived?: boolean;
  pinned?: boolean;
  /** ms since the epoch when muted (-1: for ever), null when unmuted. */
  mutedUntil?: number | null;
  /** Marked unread (a `markChatAsRead` action with `read: false`). */
  unread?: boolean;
}

export interface PhonePatchOptions {
  /** Flips a byte of the mutation's value MAC after the patch is made, as a tampered patch would have. */
  badMac?: boolean;
}

const keyId = (ctx: SimContext, account: Account): string =>
  ctx.syncd.keyOf(account.phone).keyId.toString('base64');

const keyGetter = (ctx: SimContext, account: Account) => {
  const key = ctx.syncd.keyOf(account.phone);
  const id = key.keyId.toString('base64');
  return (wanted: string): Promise<proto.Message.IAppStateSyncKeyData | undefined> =>
    Promise.resolve(wanted === id ? { keyData: key.keyData, timestamp: key.timestamp } : undefined);
};

/** Pushes the phone's app-state sync key to a companion it just linked (a self-only protocol message). */
export const shareAppStateKey = async (
  ctx: SimContext,
  account: Account,
  device: LinkedDevice,
): Promise<void> => {
  const key = ctx.syncd.keyOf(account.phone);
  device.appStateKeyShared = true;
  await deliverFromPeer(
    ctx,
    account.primary,
    account,
    device,
    {
      protocolMessage: {
        type: proto.Message.ProtocolMessage.Type.APP_STATE_SYNC_KEY_SHARE,
        appStateSyncKeyShare: {
          keys: [
            {
              keyId: { keyId: key.keyId },
              keyData: {
                keyData: key.keyData,
                fingerprint: { rawId: key.keyId.readUInt32BE(0), currentIndex: 0, deviceIndexes: [0] },
                timestamp: key.timestamp,
              },
            },
          ],
        },
      },
    },
    { id: newMessageId(), from: pnJid(account.phone), type: 'text', category: 'peer', push_priority: 'high' },
  );
};

/** Decodes every stored patch of a collection as a client does from version 0: its state and latest mutations. */
const decodeCollection = async (ctx: SimContext, account: Account, name: SyncdCollectionName) => {
  const stored = ctx.syncd.of(account.phone).patchesSince(name, 0);
  const patches = stored.map((p) => proto.SyncdPatch.decode(p.blob));
  return decodePatches(
    name,
    patches,
    newLTHashState(),
    keyGetter(ctx, account),
    {},
    undefined,
    undefined,
    true,
  );
};

const toModification = (change: PhoneChatChange): ChatModification => {
  switch (change.action) {
    case 'archive':
      return { archive: change.archived, lastMessages: [] };
    case 'pin':
      return { pin: change.pinned };
    case 'mute':
      return { mute: change.until };
    case 'markRead':
      return { markRead: change.read, lastMessages: [] };
  }
};

/** The phone changes a chat: a patch on its collection, stored by the server and announced to the companions. */
export const phoneModifiesChat = async (
  ctx: SimContext,
  account: Account,
  chatJid: string,
  change: PhoneChatChange,
  options: PhonePatchOptions = {},
): Promise<{ collection: SyncdCollectionName; version: number }> => {
  const create = chatModificationToAppPatch(toModification(change), chatJid);
  const name = create.type as SyncdCollectionName;
  const { state } = await decodeCollection(ctx, account, name);
  const { patch } = await encodeSyncdPatch(
    create,
    keyId(ctx, account),
    state as LTHashState,
    keyGetter(ctx, account),
  );
  if (options.badMac) {
    const blob = patch.mutations?.[0]?.record?.value?.blob;
    if (blob instanceof Uint8Array) blob[blob.length - 1]! ^= 0xff;
  }
  const outcome = ctx.syncd.of(account.phone).append(name, state.version, patch);
  if (!outcome.ok)
    throw new SimulatorError(409, 'conflict', `${name} moved on to version ${outcome.version}`);
  ctx.events.emit('app-state-patch', {
    phone: account.phone,
    collection: name,
    version: outcome.version,
    by: 0,
  });
  announceCollectionChange(ctx, account, name);
  return { collection: name, version: outcome.version };
};

/** Every chat's flags as the phone reads them from the server's patches (a patch whose MACs fail is skipped). */
export const phoneChatFlags = async (ctx: SimContext, account: Account): Promise<PhoneChatFlags[]> => {
  const chats = new Map<string, PhoneChatFlags>();
  const flagsOf = (jid: string): PhoneChatFlags => {
    const found = chats.get(jid) ?? { jid };
    chats.set(jid, found);
    return found;
  };
  for (const name of SYNCD_COLLECTIONS) {
    const { mutationMap } = await decodeCollection(ctx, account, name);
    for (const { syncAction, index } of Object.values(mutationMap)) {
      const [type, jid] = index;
      const value = syncAction.value;
      if (!jid || !value) continue;
      if (type === 'archive' && value.archiveChatAction)
        flagsOf(jid).archived = !!value.archiveChatAction.archived;
      if (type === 'pin_v1' && value.pinAction) flagsOf(jid).pinned = !!value.pinAction.pinned;
      if (type === 'mute' && value.muteAction) {
        const mute = value.muteAction;
        flagsOf(jid).mutedUntil = mute.muted ? toNumber(mute.muteEndTimestamp ?? -1) : null;
      }
      if (type === 'markChatAsRead' && value.markChatAsReadAction)
        flagsOf(jid).unread = !value.markChatAsReadAction.read;
    }
  }
  return [...chats.values()];
};
