import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../../shared/domain/errors.js';
import {
  ResponseTooLargeError,
  UnsafeUrlError,
  fetchPublic,
  isPublicAddress,
  resolvePublicUrl,
} from '../../../../shared/net/public-url.js';

describe('isPublicAddress', () => {
  it.each([
    ['169.254.169.254', 'instance metadata'],
    ['10.0.0.1', 'RFC 1918'],
    ['172.16.5.4', 'RFC 1918'],
    ['192.168.1.1', 'RFC 1918'],
    ['127.0.0.1', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['224.0.0.1', 'multicast'],
    ['::1', 'IPv6 loopback'],
    ['fd00:ec2::254', 'IPv6 metadata (unique local)'],
    ['fe80::1', 'IPv6 link-local'],
    ['::ffff:10.0.0.1', 'IPv4-mapped private'],
    ['64:ff9b::a00:1', 'NAT64 wrapping a private address'],
    ['not-an-ip', 'garbage'],
  ])('refuses %s (%s)', (ip) => {
    expect(isPublicAddress(ip)).toBe(false);
  });

  it('admits public unicast addresses of both families', () => {
    expect(isPublicAddress('8.8.8.8')).toBe(true);
    expect(isPublicAddress('2606:4700::1111')).toBe(true);
  });

  it('admits loopback, and only loopback, when local mode allows it', () => {
    expect(isPublicAddress('127.0.0.1', { allowLoopback: true })).toBe(true);
    expect(isPublicAddress('::1', { allowLoopback: true })).toBe(true);
    expect(isPublicAddress('10.0.0.1', { allowLoopback: true })).toBe(false);
    expect(isPublicAddress('169.254.169.254', { allowLoopback: true })).toBe(false);
  });
});

describe('resolvePublicUrl', () => {
  it.each([
    ['http://169.254.169.254/latest/meta-data/', { allowHttp: true }],
    ['https://10.0.0.1/hook', {}],
    ['https://[::1]/hook', {}],
    ['https://[fd00:ec2::254]/', {}],
    // The WHATWG parser turns these spellings into 127.0.0.1 before we look.
    ['https://0x7f.1/', {}],
    ['https://2130706433/', {}],
    // A name that resolves to loopback is refused like the address itself.
    ['https://localhost/hook', {}],
  ])('refuses %s with a 400 naming the field', async (url, options) => {
    const error = await resolvePublicUrl(url, { ...options, field: '/image/url' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsafeUrlError);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as UnsafeUrlError).status).toBe(400);
    expect((error as UnsafeUrlError).errors[0]).toMatchObject({ location: 'body', pointer: '/image/url' });
  });

  it('refuses cleartext, other schemes, credentials and garbage with a reason', async () => {
    await expect(resolvePublicUrl('http://8.8.8.8/')).rejects.toThrow('must use https');
    await expect(resolvePublicUrl('ftp://8.8.8.8/', { allowHttp: true })).rejects.toThrow('https or http');
    await expect(resolvePublicUrl('https://user:pw@8.8.8.8/')).rejects.toThrow('credentials');
    await expect(resolvePublicUrl('not a url')).rejects.toThrow('absolute URL');
    await expect(resolvePublicUrl('https://no-such-host.invalid/')).rejects.toThrow('does not resolve');
  });

  it('admits a public address literal and reports the address it will connect to', async () => {
    const resolved = await resolvePublicUrl('https://8.8.8.8:8443/x?y=1');
    expect(resolved).toMatchObject({ address: '8.8.8.8', family: 4 });
    expect(resolved.url.port).toBe('8443');
  });

  it('admits loopback names in local mode', async () => {
    const resolved = await resolvePublicUrl('http://localhost:9/', { allowHttp: true, allowLoopback: true });
    expect(isPublicAddress(resolved.address, { allowLoopback: true })).toBe(true);
  });
});

describe('fetchPublic', () => {
  let server: Server;
  let base: string;
  const hits: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      hits.push(req.url ?? '');
      if (req.url === '/redirect') {
        res.writeHead(302, { location: 'http://169.254.169.254/' }).end();
      } else if (req.url === '/big') {
        res.end(Buffer.alloc(64 * 1024, 1));
      } else {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => res.writeHead(200, { 'x-echo': req.method ?? '' }).end(`got:${body}`));
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://localhost:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const local = { allowHttp: true, allowLoopback: true, maxBytes: 1024, timeoutMs: 5000 } as const;

  it('sends the request to the vetted address and returns status, headers and body', async () => {
    const response = await fetchPublic(`${base}/echo`, { ...local, method: 'POST', body: 'hello' });
    expect(response.status).toBe(200);
    expect(response.headers['x-echo']).toBe('POST');
    expect(response.body.toString()).toBe('got:hello');
  });

  it('does not follow redirects', async () => {
    const response = await fetchPublic(`${base}/redirect`, local);
    expect(response.status).toBe(302);
    expect(hits.filter((h) => h === '/redirect')).toHaveLength(1);
  });

  it('fails a body over maxBytes', async () => {
    await expect(fetchPublic(`${base}/big`, local)).rejects.toBeInstanceOf(ResponseTooLargeError);
  });

  it('never connects to a loopback receiver outside local mode', async () => {
    const before = hits.length;
    await expect(fetchPublic(`${base}/echo`, { ...local, allowLoopback: false })).rejects.toBeInstanceOf(
      UnsafeUrlError,
    );
    expect(hits.length).toBe(before);
  });
});
