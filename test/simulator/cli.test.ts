import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proto } from '@whiskeysockets/baileys';
import type { WASocket } from '@whiskeysockets/baileys';
import { provisionLinkedDevice, trustSimulator } from '../../simulator/index.js';
import type { InboxEntry, OutboxEntry, SimulatorAddress } from '../../simulator/index.js';
import {
  closeCode,
  connect,
  endAll,
  eventually,
  linkWithQr,
  memoryAuth,
  nextEvent,
  opened,
  statusCodeOf,
  trackStatuses,
  withTimeout,
} from './helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ME = '15554440001';
const CAROL = '15554440002';

/** The simulator as its own process (`npm run simulator`), driven only through its control API. */
describe('simulator CLI in a separate process, driven over HTTP', () => {
  let child: ChildProcess;
  let address: SimulatorAddress;
  let untrust: () => void;
  const sockets: WASocket[] = [];
  const stderr: string[] = [];

  const call = async (
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: unknown }> => {
    const res = await fetch(address.controlUrl + path, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return { status: res.status, json: await res.json() };
  };

  beforeAll(async () => {
    child = spawn(process.execPath, ['--import', 'tsx', 'simulator/cli.ts', '--port', '0'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr?.on('data', (d: Buffer) => stderr.push(d.toString()));
    const lines = createInterface({ input: child.stdout! });
    const first = await withTimeout(
      new Promise<string>((resolve) => lines.once('line', resolve)),
      30_000,
      'simulator CLI startup',
    );
    address = JSON.parse(first) as SimulatorAddress;
    untrust = trustSimulator(address.rootPublicKey);
  });

  afterAll(async () => {
    endAll(sockets);
    untrust?.();
    if (child && child.exitCode === null) {
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await withTimeout(exited, 10_000, 'CLI exit')).toBe(0);
    }
  });

  it('prints exactly one JSON line with wsUrl, controlUrl and rootPublicKey', () => {
    expect(address.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/ws\/chat$/);
    expect(address.controlUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(address.rootPublicKey).toMatch(/^[0-9a-f]{64}$/);
    expect(stderr.join('')).toContain('listening');
  });

  it('links, sends, receives and tracks receipts through the control API', async () => {
    expect((await call('POST', '/contacts', { phone: `+${CAROL}`, name: 'Carol' })).status).toBe(201);
    const auth = memoryAuth();
    const scans: number[] = [];
    const { sock, qrs } = await linkWithQr(address.wsUrl, auth, async (qr) => {
      const r = await call('POST', '/pair', { qr, phone: ME });
      scans.push(r.status);
    });
    sockets.push(sock);
    expect(qrs.length).toBeGreaterThan(0);
    // 202: the first scan got today's companion_reg_refresh; the re-drawn QR paired (200).
    expect(scans).toEqual([202, 200]);
    const account = (await call('GET', `/accounts/${ME}`)).json as {
      devices: { id: number; online: boolean }[];
    };
    expect(account.devices).toEqual([expect.objectContaining({ id: 1, online: true })]);

    const statuses = trackStatuses(sock);
    const sent = await sock.sendMessage(`${CAROL}@s.whatsapp.net`, { text: 'hello over the wire' });
    const id = sent?.key.id ?? '';
    let entry: InboxEntry | undefined;
    for (let i = 0; i < 100 && !entry; i++) {
      const list = (await call('GET', `/contacts/${CAROL}/inbox`)).json as InboxEntry[];
      entry = list.find((m) => m.id === id);
      if (!entry) await new Promise((r) => setTimeout(r, 50));
    }
    expect(entry).toMatchObject({
      id,
      type: 'text',
      text: 'hello over the wire',
      from: `${ME}:1@s.whatsapp.net`,
    });

    expect(
      (await call('POST', `/contacts/${CAROL}/receipts`, { messageId: id, type: 'delivered' })).status,
    ).toBe(200);
    await eventually(
      () =>
        statuses.get(id)?.some((s) => s.status === proto.WebMessageInfo.Status.DELIVERY_ACK)
          ? true
          : undefined,
      5000,
      'delivered',
    );
    expect((await call('POST', `/contacts/${CAROL}/receipts`, { messageId: id, type: 'read' })).status).toBe(
      200,
    );
    await eventually(
      () => (statuses.get(id)?.some((s) => s.status === proto.WebMessageInfo.Status.READ) ? true : undefined),
      5000,
      'read',
    );

    const upsert = nextEvent(sock, 'messages.upsert', (u) => u.messages.some((m) => !m.key.fromMe));
    const reply = await call('POST', `/contacts/${CAROL}/send`, { to: ME, text: 'answer', replyTo: id });
    expect(reply.status).toBe(201);
    const out = reply.json as OutboxEntry;
    const m = (await upsert).messages.find((x) => !x.key.fromMe);
    expect(m?.key.id).toBe(out.id);
    expect(m?.message?.extendedTextMessage?.text).toBe('answer');
    expect(m?.message?.extendedTextMessage?.contextInfo?.stanzaId).toBe(id);
    for (let i = 0; i < 100; i++) {
      const list = (await call('GET', `/contacts/${CAROL}/outbox`)).json as OutboxEntry[];
      if (list.find((x) => x.id === out.id)?.status === 'delivered') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const outbox = (await call('GET', `/contacts/${CAROL}/outbox`)).json as OutboxEntry[];
    expect(outbox.find((x) => x.id === out.id)?.status).toBe('delivered');

    const reaction = nextEvent(sock, 'messages.reaction');
    expect(
      (await call('POST', `/contacts/${CAROL}/react`, { to: ME, messageId: id, emoji: '❤️' })).status,
    ).toBe(201);
    expect((await reaction)[0]?.reaction.text).toBe('❤️');

    const fault = await call('POST', '/faults', { type: 'ack-error', code: 463, phone: ME });
    expect(fault.status).toBe(201);
    expect(((await call('GET', '/faults')).json as unknown[]).length).toBe(1);
    expect((await call('DELETE', '/faults')).json).toEqual({ cleared: true });

    const closed = nextEvent(sock, 'connection.update', (u) => u.connection === 'close');
    expect((await call('POST', `/accounts/${ME}/unlink`, {})).json).toEqual({ unlinked: [1] });
    expect(statusCodeOf(await closed)).toBe(401);
  });

  it('provisions a device over HTTP that logs in without a QR', async () => {
    const creds = await provisionLinkedDevice({ controlUrl: address.controlUrl }, '15554440009');
    const sock = connect(address.wsUrl, memoryAuth(creds));
    sockets.push(sock);
    await opened(sock);
    expect(sock.user?.id).toBe('15554440009:1@s.whatsapp.net');
    const closed = closeCode(sock);
    expect((await call('POST', '/faults', { type: 'drop', phone: '15554440009' })).json).toEqual({
      dropped: 1,
    });
    expect(await closed).toBe(428);
  });

  it('answers unknown or malformed requests with a 4xx JSON {error, detail}', async () => {
    const cases: [string, string, unknown, number, string][] = [
      ['GET', '/nope', undefined, 404, 'not_found'],
      ['DELETE', '/accounts', undefined, 405, 'method_not_allowed'],
      ['POST', '/accounts', '{not json', 400, 'invalid_json'],
      ['POST', '/accounts', { phone: 'abc' }, 400, 'invalid_body'],
      ['POST', '/accounts', { phone: '15550001111', extra: 1 }, 400, 'invalid_body'],
      ['POST', '/contacts', undefined, 400, 'invalid_body'],
      [
        'POST',
        '/pair',
        { qr: 'https://wa.me/settings/linked_devices#a,b,c,d,e', phone: ME },
        410,
        'qr_expired',
      ],
      ['POST', '/pairing-code', { phone: ME, code: 'toolongcode' }, 400, 'invalid_body'],
      ['POST', `/contacts/${CAROL}/receipts`, { messageId: 'X', type: 'seen' }, 400, 'invalid_body'],
      ['POST', `/contacts/${CAROL}/receipts`, { messageId: 'UNKNOWN', type: 'read' }, 404, 'unknown_message'],
      ['POST', `/contacts/${CAROL}/send`, { to: ME, text: 'x', replyTo: 'UNKNOWN' }, 404, 'unknown_message'],
      ['POST', '/faults', { type: 'explode' }, 400, 'invalid_body'],
      ['POST', '/faults', { type: 'delay', ms: -1 }, 400, 'invalid_body'],
      ['GET', '/accounts/19999999999', undefined, 404, 'unknown_account'],
      ['POST', '/accounts/19999999999/unlink', {}, 404, 'unknown_account'],
    ];
    for (const [method, path, body, status, error] of cases) {
      const r = await call(method, path, body);
      expect({ method, path, status: r.status, error: (r.json as { error?: string }).error }).toEqual({
        method,
        path,
        status,
        error,
      });
      expect(typeof (r.json as { detail?: unknown }).detail).toBe('string');
    }
  });
});
