/**
 * Throws a few thousand malformed requests (random methods, paths, path parameters, query strings, headers,
 * bodies and JSON types, and pathological JSON: nested ten thousand deep, thousands of keys, over the size cap)
 * at every route of the OpenAPI document through the local gateway. Whatever the input, the answer must be a
 * 4xx (or a 2xx for what happens to be valid), never a 5xx: bad input is the client's problem, not a crash.
 * Seeded, so a failure is reproducible (the seed is in the failure message).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../../shared/domain/ids.js';
import { startApi, type ApiHarness, type TenantHandle } from './support.js';

const REQUESTS = 2500;
const CONCURRENCY = 12;
const SEED = Number(process.env.FUZZ_SEED ?? 20261125);

/** mulberry32: tiny, seedable, good enough to pick inputs. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  return { next, int, pick };
}

type Rng = ReturnType<typeof prng>;

let api: ApiHarness;
let tenant: TenantHandle;
let sessionId: string;
let messageId: string;
let mediaId: string;
/** Every operation of the served OpenAPI document, as `METHOD /path/{param}`. */
let operations: { method: string; template: string }[];

beforeAll(async () => {
  api = await startApi();
  const document = await api.call<{ paths: Record<string, Record<string, unknown>> }>(
    'GET',
    '/v1/openapi.json',
  );
  operations = Object.entries(document.body.paths).flatMap(([template, item]) =>
    Object.keys(item)
      .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
      .map((m) => ({ method: m.toUpperCase(), template })),
  );
  tenant = await api.createTenant({ maxSessions: 1000, sendsPerMinute: 6000, requestsPerMinute: 100_000 });
  sessionId = (await api.call<{ id: string }>('POST', '/v1/sessions', { key: tenant.key, body: {} })).body.id;
  messageId = (
    await api.call<{ id: string }>('POST', `/v1/sessions/${sessionId}/messages`, {
      key: tenant.key,
      body: { to: '+15551234567', type: 'text', text: { body: 'seed' } },
    })
  ).body.id;
  mediaId = (
    await api.call<{ id: string }>('POST', '/v1/media', {
      key: tenant.key,
      rawBody: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 255]),
      headers: { 'content-type': 'image/png' },
    })
  ).body.id;
}, 120_000);
afterAll(async () => {
  await api?.stop();
});

const WEIRD_SEGMENTS = [
  '',
  '..',
  '.',
  '%00',
  '%2F',
  '%25',
  'a'.repeat(300),
  'ünïcödé',
  '01ARZ3NDEKTSV4RRFFQ69G5FAV',
  '01arz3ndektsv4rrffq69g5fav',
  'null',
  '-1',
  '{sessionId}',
  '%E0%A4%A',
  ' ',
];

function segment(rng: Rng, name: string): string {
  const roll = rng.next();
  if (roll < 0.3) return name === 'messageId' ? messageId : name === 'mediaId' ? mediaId : sessionId;
  if (roll < 0.45) return newId();
  return encodeURIComponent(rng.pick(WEIRD_SEGMENTS)).replace(/%25([0-9A-F]{2})/g, '%$1');
}

/** A route's own method most of the time (to reach its handler), any method otherwise. */
function target(rng: Rng): { method: string; path: string; operation: string } {
  const { method: routeMethod, template } = rng.pick(operations);
  const operation = `${routeMethod} ${template}`;
  const method =
    rng.next() < 0.7 ? routeMethod : rng.pick(['GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'OPTIONS', 'HEAD']);
  if (rng.next() < 0.05) {
    return {
      method,
      operation,
      path: `/${rng.pick(['', 'v1', 'v2', 'v1/x', 'v1/sessions/a/b/c/d', '%7B%7D'])}`,
    };
  }
  // Deleting the shared session (or revoking the key) early would turn the rest of the run into 404s/401s.
  const keepShared = method === 'DELETE';
  let path = template.replace(/\{(\w+)\}/g, (_m, name: string) =>
    keepShared ? newId() : segment(rng, name),
  );
  if (rng.next() < 0.1) path += rng.pick(['/', '//', '/extra', '?']);
  return { method, operation, path };
}

function query(rng: Rng): string {
  if (rng.next() < 0.4) return '';
  const keys = ['limit', 'cursor', 'chat', 'order', 'format', 'x', 'limit'];
  const values = [
    '',
    '0',
    '-5',
    '1e400',
    '100',
    '101',
    '2.5',
    'NaN',
    'abc',
    '+15551234567',
    'png',
    'gif',
    'oldest',
    '%ZZ',
    'eyJzZXNzaW9uSWQiOiJ4In0',
    'a'.repeat(3000),
    '[]',
    '{}',
  ];
  const parts = Array.from({ length: 1 + rng.int(4) }, () => `${rng.pick(keys)}=${rng.pick(values)}`);
  return `?${parts.join('&')}`;
}

function jsonValue(rng: Rng, depth = 0): unknown {
  const roll = rng.int(depth > 2 ? 6 : 9);
  switch (roll) {
    case 0:
      return null;
    case 1:
      return rng.pick([0, -1, 1.5, 1e308, -0, 2 ** 53 + 1]);
    case 2:
      return rng.pick([
        '',
        'x',
        '+15551234567',
        'wak_x',
        'a'.repeat(5000),
        '\u0000',
        '😀',
        'http://10.0.0.1/',
      ]);
    case 3:
      return rng.next() < 0.5;
    case 4:
      return newId();
    case 5:
      return rng.pick(['text', 'image', 'reaction', 'contacts', 'location', 'poll']);
    case 6:
      return Array.from({ length: rng.int(4) }, () => jsonValue(rng, depth + 1));
    default: {
      const keys = [
        'to',
        'type',
        'text',
        'body',
        'image',
        'url',
        'name',
        'phone',
        'scopes',
        'limits',
        'metadata',
        'replyTo',
        'reaction',
        'emoji',
        'messageId',
        'contacts',
        'location',
        'latitude',
        '__proto__',
        'constructor',
      ];
      const obj: Record<string, unknown> = {};
      for (let i = rng.int(5); i > 0; i -= 1) obj[rng.pick(keys)] = jsonValue(rng, depth + 1);
      return obj;
    }
  }
}

/** Mostly-valid bodies with one thing wrong reach deeper than pure noise. */
function mutatedSend(rng: Rng): unknown {
  const base: Record<string, unknown> = rng.pick([
    { to: '+15551234567', type: 'text', text: { body: 'hi' } },
    { to: '+15551234567', type: 'image', image: { url: 'https://example.invalid/x.jpg', caption: 'c' } },
    { to: '+15551234567', type: 'reaction', reaction: { messageId: newId(), emoji: '👍' } },
    {
      to: '+15551234567',
      type: 'contacts',
      contacts: [{ name: { formattedName: 'A' }, phones: [{ phone: '+15551234567' }] }],
    },
    { to: '+15551234567', type: 'location', location: { latitude: 1, longitude: 2 } },
    { name: 'x', scopes: ['sessions:read'] },
    { phone: '+15551234567' },
    { name: 'tenant', limits: { maxSessions: 1 } },
  ]);
  const key = rng.pick(Object.keys(base));
  base[rng.next() < 0.7 ? key : 'extra'] = jsonValue(rng);
  return base;
}

const deepArray = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);
const deepObject = (levels: number) => '{"n":'.repeat(levels) + '1' + '}'.repeat(levels);
const SEND_PREFIX = '{"to":"+15551234567","type":"text","text":{"body":"x"},"metadata":';

/** JSON that is well-formed and under the size cap (or just over it) but hostile to whatever walks it. */
function pathologicalJson(rng: Rng): string {
  return rng.pick([
    () => deepArray(10_000),
    () => deepObject(10_000),
    () => `${SEND_PREFIX}${deepObject(10_000)}}`,
    () => `${SEND_PREFIX}${deepObject(31)}}`,
    () => `${SEND_PREFIX}${deepObject(9)}}`,
    () => `{"name":"x","scopes":${deepArray(5_000)}}`,
    () => `{"url":"https://example.com/","sessionIds":${deepArray(100)}}`,
    () => JSON.stringify(Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, i]))),
    () =>
      `${SEND_PREFIX}${JSON.stringify(Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`, i])))}}`,
    () => JSON.stringify({ name: 'x'.repeat(300 * 1024) }),
    () => `[${'"x",'.repeat(60_000)}"x"]`,
  ])();
}

function body(rng: Rng): { text?: string; contentType?: string } {
  const roll = rng.next();
  if (roll < 0.15) return {};
  if (roll < 0.22) return { text: pathologicalJson(rng), contentType: 'application/json' };
  const contentType = rng.pick([
    'application/json',
    'application/json',
    'application/json; charset=utf-8',
    'application/json; charset=latin1',
    'text/plain',
    'application/x-www-form-urlencoded',
    'application/merge-patch+json',
    // What a media upload sends; the JSON routes must refuse it cleanly.
    'image/png',
    'application/octet-stream',
    'multipart/form-data; boundary=x',
    '',
  ]);
  if (roll < 0.3) {
    const text = rng.pick([
      '{',
      '{"a":',
      'null',
      '[]',
      '"str"',
      '1',
      '\u0000',
      '{"to":"+1"}'.repeat(3),
      '{}}',
    ]);
    return { text, contentType };
  }
  const value = roll < 0.65 ? mutatedSend(rng) : jsonValue(rng);
  return { text: JSON.stringify(value) ?? 'null', contentType };
}

function headers(rng: Rng, contentType: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const auth = rng.next();
  if (auth < 0.55) out['authorization'] = `Bearer ${tenant.key}`;
  else if (auth < 0.62) out['authorization'] = `Bearer ${api.operatorKey}`;
  else if (auth < 0.9) {
    out['authorization'] = rng.pick([
      'Bearer',
      'Bearer ',
      'bearer wak_' + 'A'.repeat(43),
      'Basic Zm9vOmJhcg==',
      `Bearer ${tenant.key}x`,
      `Bearer ${'x'.repeat(2000)}`,
      'Bearer a b c',
      `Token ${tenant.key}`,
    ]);
  }
  if (contentType) out['content-type'] = contentType;
  if (rng.next() < 0.2)
    out['idempotency-key'] = rng.pick(['k1', 'k1', 'x'.repeat(300), '\t', randomBytes(8).toString('hex')]);
  if (rng.next() < 0.05) out['content-encoding'] = 'gzip';
  return out;
}

describe('fuzz: malformed requests at every route', () => {
  it(`${REQUESTS} requests, no 5xx (seed ${SEED})`, async () => {
    const rng = prng(SEED);
    const requests = Array.from({ length: REQUESTS }, () => {
      const { method, path, operation } = target(rng);
      const b = method === 'GET' || method === 'HEAD' ? {} : body(rng);
      return {
        method,
        operation,
        url: `${path}${query(rng)}`,
        body: b.text,
        headers: headers(rng, b.contentType),
      };
    });
    // Every operation of the document is exercised, with its own method.
    const covered = new Set(
      requests.filter((r) => r.operation.startsWith(`${r.method} `)).map((r) => r.operation),
    );
    expect([...operations.map((o) => `${o.method} ${o.template}`)].filter((o) => !covered.has(o))).toEqual(
      [],
    );
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    let next = 0;
    const worker = async () => {
      while (next < requests.length) {
        const r = requests[next++]!;
        const response = await fetch(`${api.url}${r.url}`, {
          method: r.method,
          headers: r.headers,
          body: r.body,
        });
        await response.arrayBuffer();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if (response.status >= 500) {
          failures.push(
            `${response.status} ${r.method} ${r.url} ${JSON.stringify(r.headers)} ${r.body?.slice(0, 200)}`,
          );
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    if (process.env.FUZZ_VERBOSE) console.log(JSON.stringify([...statuses].sort()));
    expect(failures, `seed ${SEED}`).toEqual([]);
    // The fuzz reached the handlers (past the authorizer and the tenant guard), not just the gateway's refusals.
    const count = (s: number) => statuses.get(s) ?? 0;
    const handled = [200, 201, 202, 400, 409, 415].reduce((sum, s) => sum + count(s), 0);
    expect(handled).toBeGreaterThan(REQUESTS / 4);
    // The API is still up and still answers a tenant after all of it.
    expect((await api.call('GET', '/v1/health')).status).toBe(200);
    expect((await api.call('GET', `/v1/sessions/${sessionId}`, { key: tenant.key })).status).toBe(200);
  }, 150_000);
});
