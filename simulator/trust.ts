import { WA_CERT_DETAILS } from '@whiskeysockets/baileys';

/**
 * Makes Baileys, in this process, accept the simulator's Noise certificate chain by swapping WhatsApp's root
 * key for the simulator's. WA_CERT_DETAILS is a mutable export that Baileys reads at every handshake, so this must
 * run in the process that runs Baileys, against the same module instance Baileys' socket code imports (the
 * package's main entry), before the socket connects. Returns a function that restores the previous key.
 */
export const trustSimulator = (rootPublicKeyHex: string): (() => void) => {
  if (!/^[0-9a-f]{64}$/i.test(rootPublicKeyHex)) throw new Error('root public key must be 32 bytes of hex');
  const previous = WA_CERT_DETAILS.PUBLIC_KEY;
  WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(rootPublicKeyHex, 'hex');
  return () => {
    WA_CERT_DETAILS.PUBLIC_KEY = previous;
  };
};
