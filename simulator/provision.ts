import { configureSuccessfulPairing, initAuthCreds } from '@whiskeysockets/baileys';
import type { AuthenticationCreds, BinaryNode } from '@whiskeysockets/baileys';
import type { WhatsAppSimulator } from './simulator.js';

/** Where to provision: the in-process simulator, or one running elsewhere reached through its control URL. */
export type ProvisionTarget = WhatsAppSimulator | { controlUrl: string };

interface ProvisionResponse {
  jid: string;
  lid: string;
  deviceIdentity: string;
  platform: string;
}

const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');

/**
 * Client half of provisioning: registers fresh Baileys creds as a linked device of `phone` and applies the
 * resulting pair-success with Baileys' own configureSuccessfulPairing, so the creds come out exactly as after a
 * QR pairing (plus accountSyncCounter=1, so the first login does not wait for a history sync). Log in with them
 * and no QR is shown.
 */
export const provisionLinkedDevice = async (
  target: ProvisionTarget,
  phone: string,
  creds: AuthenticationCreds = initAuthCreds(),
  options: { skipPreKeyUpload?: boolean } = {},
): Promise<AuthenticationCreds> => {
  const request = {
    noiseKey: b64(creds.noiseKey.public),
    identityKey: b64(creds.signedIdentityKey.public),
    registrationId: creds.registrationId,
    signedPreKey: {
      keyId: creds.signedPreKey.keyId,
      publicKey: b64(creds.signedPreKey.keyPair.public),
      signature: b64(creds.signedPreKey.signature),
    },
    advSecret: creds.advSecretKey,
    ...(options.skipPreKeyUpload !== undefined ? { skipPreKeyUpload: options.skipPreKeyUpload } : {}),
  };
  let result: ProvisionResponse;
  if ('provisionDevice' in target) {
    const r = target.provisionDevice(phone, {
      noiseKey: Buffer.from(request.noiseKey, 'base64'),
      identityKey: Buffer.from(request.identityKey, 'base64'),
      registrationId: request.registrationId,
      signedPreKey: {
        keyId: request.signedPreKey.keyId,
        publicKey: Buffer.from(request.signedPreKey.publicKey, 'base64'),
        signature: Buffer.from(request.signedPreKey.signature, 'base64'),
      },
      advSecret: Buffer.from(request.advSecret, 'base64'),
      ...(options.skipPreKeyUpload !== undefined ? { skipPreKeyUpload: options.skipPreKeyUpload } : {}),
    });
    result = { ...r, deviceIdentity: r.deviceIdentity.toString('base64') };
  } else {
    const res = await fetch(`${target.controlUrl}/accounts/${encodeURIComponent(phone)}/devices`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    if (!res.ok) throw new Error(`provisioning failed: ${res.status} ${await res.text()}`);
    result = (await res.json()) as ProvisionResponse;
  }
  const stanza: BinaryNode = {
    tag: 'iq',
    attrs: { id: 'provision', type: 'set', from: 's.whatsapp.net' },
    content: [
      {
        tag: 'pair-success',
        attrs: {},
        content: [
          { tag: 'device-identity', attrs: {}, content: Buffer.from(result.deviceIdentity, 'base64') },
          { tag: 'platform', attrs: { name: result.platform } },
          { tag: 'device', attrs: { jid: result.jid, lid: result.lid } },
        ],
      },
    ],
  };
  const { creds: update } = configureSuccessfulPairing(stanza, creds);
  return { ...creds, ...update, accountSyncCounter: 1 };
};
