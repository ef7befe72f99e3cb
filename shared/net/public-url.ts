/**
 * The platform fetches URLs its tenants give it (webhook targets, media to send). Without a guard, a tenant could
 * point us at `http://169.254.169.254/` (instance credentials), `http://10.0.0.1/` (the VPC) or a name that
 * resolves there. The rules:
 *
 * - only `https:` (and `http:` where the caller allows it, e.g. local mode);
 * - every address the name resolves to must be public unicast (one private address in a round-robin set is
 *   enough to refuse: the next lookup might return it);
 * - the connection goes to the address that was checked, never to a second lookup's answer (DNS rebinding);
 * - redirects are not followed (a public host could redirect to a private one).
 *
 * Loopback may be allowed for local mode only, where webhook receivers and media servers run on 127.0.0.1.
 */
import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { ValidationError } from '../domain/errors.js';
import type { PinnedAgentPool } from './pinned-agent-pool.js';

export interface PublicAddressOptions {
  /** Local mode only: admit 127.0.0.0/8 and ::1. */
  readonly allowLoopback?: boolean;
}

export interface PublicUrlOptions extends PublicAddressOptions {
  /** Admit `http:` URLs (local mode, or a caller that deliberately allows cleartext). */
  readonly allowHttp?: boolean;
  /** Names the offending input in the 400 (`url`, `/image/url`...). Default `url`. */
  readonly field?: string;
}

export interface ResolvedPublicUrl {
  readonly url: URL;
  readonly address: string;
  readonly family: 4 | 6;
}

/** A URL the platform refuses to contact; a 400 naming the field, the reason safe to show the tenant. */
export class UnsafeUrlError extends ValidationError {
  constructor(
    readonly reason: string,
    field = 'url',
  ) {
    super(
      [
        field.startsWith('/')
          ? { location: 'body', pointer: field, message: reason }
          : { location: 'body', field, message: reason },
      ],
      `${field}: ${reason}`,
    );
  }
}

/** True only for public unicast addresses (plus loopback when allowed). IPv4-mapped IPv6 is judged as IPv4. */
export function isPublicAddress(ip: string, options: PublicAddressOptions = {}): boolean {
  if (!ipaddr.isValid(ip)) return false;
  const range = ipaddr.process(ip).range();
  if (range === 'unicast') return true;
  return options.allowLoopback === true && range === 'loopback';
}

/** Parses and vets a URL, resolving its host; throws `UnsafeUrlError` with a reason the tenant can act on. */
export async function resolvePublicUrl(
  raw: string,
  options: PublicUrlOptions = {},
): Promise<ResolvedPublicUrl> {
  const field = options.field ?? 'url';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UnsafeUrlError('must be an absolute URL', field);
  }
  const schemes = options.allowHttp ? ['https:', 'http:'] : ['https:'];
  if (!schemes.includes(url.protocol)) {
    throw new UnsafeUrlError(options.allowHttp ? 'must use https or http' : 'must use https', field);
  }
  if (url.username !== '' || url.password !== '') {
    throw new UnsafeUrlError('must not carry credentials', field);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: { address: string; family: number }[];
  if (ipaddr.isValid(host)) {
    addresses = [{ address: host, family: ipaddr.parse(host).kind() === 'ipv6' ? 6 : 4 }];
  } else {
    try {
      addresses = await lookup(host, { all: true, verbatim: true });
    } catch {
      throw new UnsafeUrlError(`host ${host} does not resolve`, field);
    }
  }
  const first = addresses[0];
  if (first === undefined) throw new UnsafeUrlError(`host ${host} does not resolve`, field);
  if (!addresses.every((a) => isPublicAddress(a.address, options))) {
    throw new UnsafeUrlError('must not point to a private, loopback, link-local or metadata address', field);
  }
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}

export interface FetchPublicOptions extends PublicUrlOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  /** The response body is cut off (and the request fails) beyond this many bytes. */
  readonly maxBytes: number;
  readonly timeoutMs: number;
  /**
   * Keep-alive connections, one agent per checked address (see `PinnedAgentPool`). Without it every request
   * opens its own connection.
   */
  readonly agents?: PinnedAgentPool;
}

export interface PublicResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/** The response body exceeded `maxBytes`. */
export class ResponseTooLargeError extends Error {
  override readonly name = 'ResponseTooLargeError';
  constructor(readonly maxBytes: number) {
    super(`response body exceeds ${maxBytes} bytes`);
  }
}

/**
 * One request to a vetted URL, connecting to the checked address only. Redirects come back as 3xx responses for
 * the caller to treat as failures. Network errors and timeouts reject with Node's error.
 */
export async function fetchPublic(raw: string, options: FetchPublicOptions): Promise<PublicResponse> {
  const target = await resolvePublicUrl(raw, options);
  try {
    return await requestPinned(target, options);
  } catch (error) {
    // A kept-alive socket the receiver closed while it sat idle (or while a Lambda was frozen) fails on reuse
    // before the receiver saw the request: one more try on a new connection (to the same checked address).
    if (error instanceof StaleSocketError) return requestPinned(target, options, true);
    throw error;
  }
}

class StaleSocketError extends Error {
  override readonly name = 'StaleSocketError';
}

function requestPinned(
  target: ResolvedPublicUrl,
  options: FetchPublicOptions,
  freshConnection = false,
): Promise<PublicResponse> {
  // TLS still verifies the certificate against the host name: only the address lookup is pinned.
  const pinned: LookupFunction = (_hostname, lookupOptions, callback) => {
    if (lookupOptions.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
  const client = target.url.protocol === 'https:' ? https : http;
  // Without a pool: a pooled socket of the global agent could have been opened to another address for the
  // same host name, so no pooling at all. With one: the agent of the address just checked.
  const agent = options.agents && !freshConnection ? options.agents.agentFor(target) : false;
  return new Promise<PublicResponse>((resolve, reject) => {
    const request = client.request(
      target.url,
      {
        method: options.method ?? 'GET',
        headers: options.headers,
        lookup: pinned,
        timeout: options.timeoutMs,
        agent,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxBytes) {
            response.destroy();
            reject(new ResponseTooLargeError(options.maxBytes));
            return;
          }
          chunks.push(chunk);
        });
        response.on('error', reject);
        response.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(response.headers)) {
            if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
          }
          resolve({ status: response.statusCode ?? 0, headers, body: Buffer.concat(chunks) });
        });
      },
    );
    request.on('timeout', () =>
      request.destroy(new Error(`request timed out after ${options.timeoutMs} ms`)),
    );
    request.on('error', (error: NodeJS.ErrnoException) => {
      const stale = request.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE');
      reject(stale ? new StaleSocketError(error.message, { cause: error }) : error);
    });
    request.end(options.body);
  });
}
