import { randomBytes } from 'node:crypto';
import {
  Curve,
  hmacSign,
  proto,
  WA_ADV_ACCOUNT_SIG_PREFIX,
  WA_ADV_DEVICE_SIG_PREFIX,
} from '@whiskeysockets/baileys';
import { SimulatorError } from '../errors.js';
import { bufferOf, childOf, node, nowSeconds, readUintBE, S_WHATSAPP_NET } from '../wire/nodes.js';
import type { BinaryNode } from '../wire/nodes.js';
import type { Account, LinkedDevice } from '../world/types.js';
import { lidJid, pnJid } from '../world/world.js';
import { newServerIqId, send } from './context.js';
import type { Registration, Session, SimContext } from './context.js';
import { refreshBeforePairing } from './pair-refresh.js';

/** A fresh companion asks to be linked: remember what it announced and hand it QR refs. */
export const startRegistration = async (
  ctx: SimContext,
  session: Session,
  noiseKey: Buffer,
  payload: proto.ClientPayload,
): Promise<void> => {
  const d = payload.devicePairingData;
  if (!d?.eRegid || !d.eIdent || !d.eSkeyId || !d.eSkeyVal || !d.eSkeySig) {
    throw new Error('registration payload without device pairing data');
  }
  const refs = Array.from({ length: ctx.options.qrRefs }, () => randomBytes(16).toString('base64url'));
  const registration: Registration = {
    noiseKey,
    identityKey: Buffer.from(d.eIdent),
    registrationId: readUintBE(Buffer.from(d.eRegid)),
    signedPreKey: {
      keyId: readUintBE(Buffer.from(d.eSkeyId)),
      publicKey: Buffer.from(d.eSkeyVal),
      signature: Buffer.from(d.eSkeySig),
    },
    pushName: payload.pushName ?? '',
    refs,
  };
  session.registration = registration;
  for (const ref of refs) ctx.qrRefs.set(ref, session);
  ctx.events.emit('qr-refs', { connectionId: session.conn.id, refs });
  await send(
    session,
    node('iq', { from: S_WHATSAPP_NET, type: 'set', id: newServerIqId(), xmlns: 'md' }, [
      node(
        'pair-device',
        {},
        refs.map((ref) => node('ref', {}, Buffer.from(ref))),
      ),
    ]),
  );
};

export const forgetRegistration = (ctx: SimContext, session: Session): void => {
  for (const ref of session.registration?.refs ?? []) ctx.qrRefs.delete(ref);
};

/** What Baileys puts in the QR: [https://wa.me/settings/linked_devices#]ref,noiseKey,identityKey,advSecret,platform */
export const parseQr = (
  qr: string,
): { ref: string; noiseKey: Buffer; identityKey: Buffer; advSecret: Buffer } => {
  const data = qr.includes('#') ? qr.slice(qr.lastIndexOf('#') + 1) : qr;
  const [ref, noise, identity, adv] = data.split(',');
  if (!ref || !noise || !identity || !adv)
    throw new SimulatorError(400, 'bad_qr', 'QR does not look like a WhatsApp link QR');
  return {
    ref,
    noiseKey: Buffer.from(noise, 'base64'),
    identityKey: Buffer.from(identity, 'base64'),
    advSecret: Buffer.from(adv, 'base64'),
  };
};

/** What a scan led to: pair-success (a device is being linked) or today's `companion_reg_refresh` first. */
export type QrScanOutcome =
  { outcome: 'paired'; device: LinkedDevice } | { outcome: 'refreshed'; ref: string };

/** The phone of `account` scans a QR shown by a companion. */
export const scanQr = async (ctx: SimContext, qr: string, account: Account): Promise<QrScanOutcome> => {
  const parsed = parseQr(qr);
  const session = ctx.qrRefs.get(parsed.ref);
  const registration = session?.registration;
  if (!session || !registration || !session.conn.isOpen) {
    throw new SimulatorError(410, 'qr_expired', 'unknown or expired QR ref');
  }
  if (
    !parsed.noiseKey.equals(registration.noiseKey) ||
    !parsed.identityKey.equals(registration.identityKey)
  ) {
    throw new SimulatorError(400, 'qr_mismatch', 'QR keys do not match the companion that holds this ref');
  }
  // The refresh uses up no ref: the companion draws the same one again with its new secret.
  if (
    (await refreshBeforePairing(ctx, session, registration, parsed.ref, parsed.advSecret)) === 'refreshed'
  ) {
    return { outcome: 'refreshed', ref: parsed.ref };
  }
  forgetRegistration(ctx, session);
  return { outcome: 'paired', device: await sendPairSuccess(ctx, session, account, parsed.advSecret, 'qr') };
};

/** ADV: the phone vouches for the companion's identity key with the account's signature key. */
export const signCompanion = (
  account: Account,
  companionIdentity: Buffer,
  keyIndex: number,
): { details: Buffer; signedIdentity: Buffer } => {
  const details = Buffer.from(
    proto.ADVDeviceIdentity.encode({ rawId: 1, timestamp: Number(nowSeconds()), keyIndex }).finish(),
  );
  const accountSignature = Buffer.from(
    Curve.sign(
      account.advIdentity.private,
      Buffer.concat([WA_ADV_ACCOUNT_SIG_PREFIX, details, companionIdentity]),
    ),
  );
  const signedIdentity = Buffer.from(
    proto.ADVSignedDeviceIdentity.encode({
      details,
      accountSignatureKey: account.advIdentity.public,
      accountSignature,
    }).finish(),
  );
  return { details, signedIdentity };
};

/** The device-identity blob of pair-success: the ADV identity, authenticated with the companion's adv secret. */
export const wrapForCompanion = (signedIdentity: Buffer, advSecret: Buffer): Buffer =>
  Buffer.from(
    proto.ADVSignedDeviceIdentityHMAC.encode({
      details: signedIdentity,
      hmac: hmacSign(signedIdentity, advSecret),
    }).finish(),
  );

export const newDeviceRecord = (
  registration: Pick<Registration, 'noiseKey' | 'identityKey' | 'registrationId' | 'signedPreKey'>,
  id: number,
): LinkedDevice => ({
  id,
  keyIndex: id,
  noiseKey: registration.noiseKey,
  identityKey: registration.identityKey,
  registrationId: registration.registrationId,
  signedPreKey: registration.signedPreKey,
  preKeys: new Map(),
  offline: [],
  historyBootstrapped: false,
  linkedAt: Date.now(),
});

/** Common end of QR and pairing-code linking: pair-success, then wait for the companion's pair-device-sign. */
export const sendPairSuccess = async (
  ctx: SimContext,
  session: Session,
  account: Account,
  advSecret: Buffer,
  method: 'qr' | 'code',
): Promise<LinkedDevice> => {
  const registration = session.registration;
  if (!registration)
    throw new SimulatorError(409, 'not_registering', 'connection is not waiting to be linked');
  const device = newDeviceRecord(registration, ctx.world.reserveDeviceId(account));
  const { details, signedIdentity } = signCompanion(account, registration.identityKey, device.keyIndex);
  const iqId = newServerIqId();
  session.pendingPair = { iqId, account, device, details, method };
  await send(
    session,
    node('iq', { from: S_WHATSAPP_NET, type: 'set', id: iqId, t: nowSeconds() }, [
      node('pair-success', {}, [
        node('device-identity', {}, wrapForCompanion(signedIdentity, advSecret)),
        node('platform', { name: 'android' }),
        node('device', { jid: pnJid(account.phone, device.id), lid: lidJid(account.lid, device.id) }),
      ]),
    ]),
  );
  return device;
};

/**
 * The companion countersigned its identity: check the signature as the real server does, link the device and
 * force the reconnect (stream error 515) after which it logs in as that device.
 */
export const onPairDeviceSign = async (ctx: SimContext, session: Session, iq: BinaryNode): Promise<void> => {
  const pending = session.pendingPair;
  if (!pending || iq.attrs.id !== pending.iqId) return;
  const signed = bufferOf(childOf(childOf(iq, 'pair-device-sign'), 'device-identity'));
  if (!signed) throw new Error('pair-device-sign without device-identity');
  const identity = proto.ADVSignedDeviceIdentity.decode(signed);
  const { account, device, details } = pending;
  const message = Buffer.concat([
    WA_ADV_DEVICE_SIG_PREFIX,
    details,
    device.identityKey,
    account.advIdentity.public,
  ]);
  if (!identity.deviceSignature || !Curve.verify(device.identityKey, message, identity.deviceSignature)) {
    throw new Error('companion device signature does not verify');
  }
  session.pendingPair = undefined;
  session.registration = undefined;
  ctx.world.insertDevice(account, device);
  ctx.events.emit('paired', {
    phone: account.phone,
    deviceId: device.id,
    jid: pnJid(account.phone, device.id),
    method: pending.method,
  });
  ctx.log('paired', { phone: account.phone, deviceId: device.id, method: pending.method });
  await session.conn.end(node('stream:error', { code: '515' }));
};
