/**
 * Which WhatsApp server this host trusts (DESIGN.md section 5). Baileys checks the server's Noise certificate
 * chain against `WA_CERT_DETAILS.PUBLIC_KEY`. The simulator has its own root key; the host swaps it in only when
 * its WhatsApp URL is a loopback address, so a production host can never be pointed at an impostor server by
 * configuration alone.
 */
import { WA_CERT_DETAILS } from '@whiskeysockets/baileys';
import ipaddr from 'ipaddr.js';

export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return false;
  }
  if (host === 'localhost') return true;
  if (!ipaddr.isValid(host)) return false;
  const addr = ipaddr.process(host);
  return addr.range() === 'loopback';
}

export class UntrustedRootKeyError extends Error {
  override readonly name = 'UntrustedRootKeyError';
}

/**
 * Applies the configured root key when allowed. Returns a restore function. A root key with a non-loopback URL
 * is refused at start rather than silently ignored, so a misconfiguration is loud.
 */
export function applyServerTrust(waUrl: string, rootKeyHex: string | undefined): () => void {
  if (!rootKeyHex) return () => undefined;
  if (!isLoopbackUrl(waUrl)) {
    throw new UntrustedRootKeyError(
      'APP_WA_ROOT_PUBLIC_KEY is only honoured when APP_WA_URL is a loopback address (the simulator)',
    );
  }
  const previous = WA_CERT_DETAILS.PUBLIC_KEY;
  WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(rootKeyHex, 'hex');
  return () => {
    WA_CERT_DETAILS.PUBLIC_KEY = previous;
  };
}
