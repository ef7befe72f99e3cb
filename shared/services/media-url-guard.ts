/**
 * Refuses, at the API, send requests whose media URL points at a private, loopback, link-local or metadata
 * address (`http://169.254.169.254/...`, `http://10.0.0.1/...`), so a tenant learns at once instead of from a
 * failed message. The host checks again where it fetches (`fetchPublic`), which is the real guard: DNS may
 * change between now and then. A name that does not resolve from here is let through for the same reason.
 */
import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';
import { mediaSourceOf, type SendMessageRequest } from '../domain/message.js';
import { isPublicAddress, UnsafeUrlError } from '../net/public-url.js';

const LOOKUP_TIMEOUT_MS = 2_000;

async function resolveAll(host: string): Promise<string[]> {
  if (ipaddr.isValid(host)) return [host];
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('lookup timed out')), LOOKUP_TIMEOUT_MS);
    });
    const found = await Promise.race([lookup(host, { all: true, verbatim: true }), timeout]);
    return found.map((a) => a.address);
  } catch {
    return [];
  } finally {
    clearTimeout(timer);
  }
}

/** The media URL of a send request, with the JSON pointer that names it in a 400. */
export function mediaUrlOf(request: SendMessageRequest): { url: string; pointer: string } | undefined {
  const source = mediaSourceOf(request);
  return source?.url === undefined ? undefined : { url: source.url, pointer: `${source.pointer}/url` };
}

export async function assertPublicMediaUrl(
  request: SendMessageRequest,
  options: { allowLoopback: boolean },
): Promise<void> {
  const media = mediaUrlOf(request);
  if (!media) return;
  const host = new URL(media.url).hostname.replace(/^\[(.*)\]$/, '$1');
  if (host.toLowerCase() === 'localhost' && !options.allowLoopback) {
    throw new UnsafeUrlError(
      'must not point to a private, loopback, link-local or metadata address',
      media.pointer,
    );
  }
  const addresses = await resolveAll(host);
  if (!addresses.every((a) => isPublicAddress(a, { allowLoopback: options.allowLoopback }))) {
    throw new UnsafeUrlError(
      'must not point to a private, loopback, link-local or metadata address',
      media.pointer,
    );
  }
}
