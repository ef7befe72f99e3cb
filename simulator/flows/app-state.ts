import { proto } from '@whiskeysockets/baileys';
import {
  S_WHATSAPP_NET,
  bufferOf,
  childOf,
  childrenNamed,
  iqResult,
  node,
  nowSeconds,
} from '../wire/nodes.js';
import type { BinaryNode } from '../wire/nodes.js';
import { isSyncdCollection, type SyncdCollectionName } from '../world/syncd.js';
import type { Account } from '../world/types.js';
import { newServerIqId, pushToDevice, requireLoggedIn, send } from './context.js';
import type { Session, SimContext } from './context.js';

/**
 * `w:sync:app:state` (whatsmeow appstate.go `fetchAppStatePatches` / `sendAppState`, Baileys `resyncAppState` /
 * `appPatch`). One `<iq type="set">` carries one `<collection name version>` per collection the device asks about:
 * without a `<patch>` child it is a fetch, answered with every patch after `version` (`<patches><patch>…`); with
 * one it is an upload, stored as the next version when `version` is the latest, else refused with
 * `type="error"` + `<error code="409" text="conflict"/>` and the patches the device missed (what whatsmeow
 * applies before it retries). An accepted upload is announced to the account's other devices (`server_sync`).
 * The server never decrypts a patch; snapshots are not made (a fetch from version 0 gets every patch instead).
 */
export const onAppStateSync = async (ctx: SimContext, session: Session, iq: BinaryNode): Promise<void> => {
  const { account, device } = requireLoggedIn(session);
  const answers: BinaryNode[] = [];
  const changed: SyncdCollectionName[] = [];
  for (const collection of childrenNamed(childOf(iq, 'sync'), 'collection')) {
    const name = collection.attrs.name ?? '';
    const base = Number(collection.attrs.version ?? '0');
    if (!isSyncdCollection(name) || !Number.isSafeInteger(base) || base < 0) {
      answers.push(errorCollection(name, 400, 'bad-request'));
      continue;
    }
    const upload = bufferOf(childOf(collection, 'patch'));
    if (!upload) {
      answers.push(patchesAnswer(ctx, account, name, base));
      continue;
    }
    const outcome = ctx.syncd.of(account.phone).append(name, base, proto.SyncdPatch.decode(upload));
    if (!outcome.ok) {
      const conflict = patchesAnswer(ctx, account, name, base);
      conflict.attrs.type = 'error';
      conflict.content = [node('error', { code: '409', text: 'conflict' }), ...childrenOfNode(conflict)];
      answers.push(conflict);
      continue;
    }
    ctx.events.emit('app-state-patch', {
      phone: account.phone,
      collection: name,
      version: outcome.version,
      by: device.id,
    });
    answers.push(node('collection', { name, version: String(outcome.version) }));
    changed.push(name);
  }
  await send(session, iqResult(iq, [node('sync', {}, answers)]));
  for (const name of changed) announceCollectionChange(ctx, account, name, device.id);
};

const childrenOfNode = (n: BinaryNode): BinaryNode[] => (Array.isArray(n.content) ? n.content : []);

const errorCollection = (name: string, code: number, text: string): BinaryNode =>
  node('collection', { name, type: 'error' }, [node('error', { code: String(code), text })]);

const patchesAnswer = (
  ctx: SimContext,
  account: Account,
  name: SyncdCollectionName,
  since: number,
): BinaryNode => {
  const store = ctx.syncd.of(account.phone);
  const patches = store.patchesSince(name, since).map((p) => node('patch', {}, p.blob));
  const attrs = { name, version: String(store.version(name)), has_more_patches: 'false' };
  return node('collection', attrs, patches.length ? [node('patches', {}, patches)] : undefined);
};

/**
 * `<notification type="server_sync"><collection name version/>`: tells the account's devices (all but the one that
 * made the change, `exceptDevice`; the phone is device 0 and has no companion connection) that a collection moved
 * on, so they fetch it. Queued for offline devices like any notification.
 */
export const announceCollectionChange = (
  ctx: SimContext,
  account: Account,
  name: SyncdCollectionName,
  exceptDevice?: number,
): void => {
  const version = String(ctx.syncd.of(account.phone).version(name));
  for (const device of account.devices.values()) {
    if (device.id === exceptDevice) continue;
    pushToDevice(
      ctx,
      account,
      device,
      node(
        'notification',
        { from: S_WHATSAPP_NET, type: 'server_sync', id: newServerIqId(), t: nowSeconds() },
        [node('collection', { name, version })],
      ),
    );
  }
};
