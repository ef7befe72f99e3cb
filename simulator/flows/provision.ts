import { SimulatorError } from '../errors.js';
import type { PublicSignedPreKey } from '../world/signal-peer.js';
import type { Account } from '../world/types.js';
import { lidJid, pnJid } from '../world/world.js';
import type { SimContext } from './context.js';
import { newDeviceRecord, signCompanion, wrapForCompanion } from './pair.js';

/** The public half of a companion's fresh creds (Baileys' initAuthCreds()). */
export interface ProvisionRequest {
  noiseKey: Buffer;
  identityKey: Buffer;
  registrationId: number;
  signedPreKey: PublicSignedPreKey;
  advSecret: Buffer;
  /**
   * Report a full prekey stock at login so the client skips its 812-key upload (contacts then open sessions
   * with the signed prekey alone). Defaults to true: provisioning exists to make many sessions cheap.
   */
  skipPreKeyUpload?: boolean;
}

/** What a pair-success would have carried, for the client side to apply to its creds. */
export interface ProvisionResult {
  phone: string;
  deviceId: number;
  jid: string;
  lid: string;
  /** ADVSignedDeviceIdentityHMAC, exactly as in pair-success. */
  deviceIdentity: Buffer;
  platform: string;
}

/**
 * Links a companion without a QR round trip (no socket, no pair-device-sign), for tests that need many
 * sessions: pairing costs the client a prekey generation and a reconnect each, which 200 sockets cannot afford.
 */
export const provisionDevice = (
  ctx: SimContext,
  account: Account,
  req: ProvisionRequest,
): ProvisionResult => {
  for (const a of ctx.world.accounts.values()) {
    for (const d of a.devices.values()) {
      if (d.noiseKey.equals(req.noiseKey)) {
        throw new SimulatorError(
          409,
          'already_linked',
          `these creds are already linked as ${pnJid(a.phone, d.id)}`,
        );
      }
    }
  }
  const device = newDeviceRecord(req, ctx.world.reserveDeviceId(account));
  // The client side marks its history as synced, so the phone does not push a bootstrap either.
  device.historyBootstrapped = true;
  if (req.skipPreKeyUpload ?? true) device.claimedPreKeyCount = 812;
  const { signedIdentity } = signCompanion(account, req.identityKey, device.keyIndex);
  ctx.world.insertDevice(account, device);
  const jid = pnJid(account.phone, device.id);
  ctx.events.emit('paired', { phone: account.phone, deviceId: device.id, jid, method: 'provisioned' });
  return {
    phone: account.phone,
    deviceId: device.id,
    jid,
    lid: lidJid(account.lid, device.id),
    deviceIdentity: wrapForCompanion(signedIdentity, req.advSecret),
    platform: 'android',
  };
};
