import { jidDecode, KEY_BUNDLE_TYPE } from '@whiskeysockets/baileys';
import { childBuffer, childOf, childrenNamed, iqResult, node, readUintBE, uintBE } from '../wire/nodes.js';
import type { BinaryNode } from '../wire/nodes.js';
import type { PreKeyBundle } from '../world/signal-peer.js';
import { requireLoggedIn, send } from './context.js';
import type { Session, SimContext } from './context.js';
import { contactPeer } from './lid-addressing.js';

/** encrypt:count — how many one-time prekeys of this device the server still holds. */
export const onPreKeyCount = async (_ctx: SimContext, session: Session, iq: BinaryNode): Promise<void> => {
  const { device } = requireLoggedIn(session);
  const count = device.claimedPreKeyCount ?? device.preKeys.size;
  await send(session, iqResult(iq, [node('count', { value: String(count) })]));
};

/** encrypt:set with registration/identity/list/skey — the device publishes (or tops up) its key bundle. */
export const onPreKeyUpload = async (_ctx: SimContext, session: Session, iq: BinaryNode): Promise<void> => {
  const { device } = requireLoggedIn(session);
  const registration = childBuffer(iq, 'registration');
  const identity = childBuffer(iq, 'identity');
  if (registration) device.registrationId = readUintBE(registration);
  if (identity) device.identityKey = identity;
  for (const key of childrenNamed(childOf(iq, 'list'), 'key')) {
    const value = childBuffer(key, 'value');
    if (value) device.preKeys.set(readUintBE(childBuffer(key, 'id')), value);
  }
  const skey = childOf(iq, 'skey');
  const skeyValue = childBuffer(skey, 'value');
  const skeySignature = childBuffer(skey, 'signature');
  if (skeyValue && skeySignature) {
    device.signedPreKey = {
      keyId: readUintBE(childBuffer(skey, 'id')),
      publicKey: skeyValue,
      signature: skeySignature,
    };
  }
  // Real uploads replace any claim made for a provisioned device.
  device.claimedPreKeyCount = undefined;
  await send(session, iqResult(iq));
};

/** encrypt:rotate — a new signed prekey. */
export const onSignedPreKeyRotate = async (
  _ctx: SimContext,
  session: Session,
  iq: BinaryNode,
): Promise<void> => {
  const { device } = requireLoggedIn(session);
  const skey = childOf(childOf(iq, 'rotate'), 'skey');
  const value = childBuffer(skey, 'value');
  const signature = childBuffer(skey, 'signature');
  if (value && signature)
    device.signedPreKey = { keyId: readUintBE(childBuffer(skey, 'id')), publicKey: value, signature };
  await send(session, iqResult(iq));
};

/** encrypt:digest — Baileys only checks that a digest node comes back. */
export const onDigest = async (_ctx: SimContext, session: Session, iq: BinaryNode): Promise<void> => {
  await send(session, iqResult(iq, [node('digest', {})]));
};

const bundleNode = (jid: string, b: PreKeyBundle): BinaryNode => {
  const content: BinaryNode[] = [
    node('registration', {}, uintBE(b.registrationId, 4)),
    node('type', {}, Buffer.from(KEY_BUNDLE_TYPE)),
    node('identity', {}, b.identityKey),
    node('skey', {}, [
      node('id', {}, uintBE(b.signedPreKey.keyId, 3)),
      node('value', {}, b.signedPreKey.publicKey),
      node('signature', {}, b.signedPreKey.signature),
    ]),
  ];
  if (b.preKey) {
    content.push(
      node('key', {}, [node('id', {}, uintBE(b.preKey.keyId, 3)), node('value', {}, b.preKey.publicKey)]),
    );
  }
  return node('user', { jid }, content);
};

/** Bundle of whichever device a jid names: a contact's phone, an account's phone, or a linked companion. */
const bundleFor = (ctx: SimContext, jid: string): PreKeyBundle | undefined => {
  const decoded = jidDecode(jid);
  const found = ctx.world.resolve(jid);
  if (!decoded || !found) return undefined;
  const deviceId = decoded.device ?? 0;
  if ('contact' in found) return contactPeer(found.contact, deviceId)?.takeBundle();
  if (deviceId === 0) return found.account.primary.takeBundle();
  const device = found.account.devices.get(deviceId);
  if (!device) return undefined;
  const first = device.preKeys.entries().next().value;
  // The server hands each one-time prekey out once.
  if (first) device.preKeys.delete(first[0]);
  return {
    registrationId: device.registrationId,
    identityKey: device.identityKey,
    signedPreKey: device.signedPreKey,
    ...(first ? { preKey: { keyId: first[0], publicKey: first[1] } } : {}),
  };
};

/** encrypt:get key — prekey bundles for a batch of devices (Baileys 7 asks by LID). */
export const onKeyFetch = async (ctx: SimContext, session: Session, iq: BinaryNode): Promise<void> => {
  const users = childrenNamed(childOf(iq, 'key'), 'user').map((u) => {
    const jid = u.attrs.jid ?? '';
    const bundle = bundleFor(ctx, jid);
    return bundle
      ? bundleNode(jid, bundle)
      : node('user', { jid }, [node('error', { code: '404', text: 'item-not-found' })]);
  });
  await send(session, iqResult(iq, [node('list', {}, users)]));
};
