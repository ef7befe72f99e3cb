/**
 * The session hosts' real output, at their most talkative (debug, Baileys at trace), over a pairing, a send, a
 * reply, a webhook subscription and a failover to a second host process: none of the linked device's private keys,
 * no API key and no webhook secret may appear in it (docs/security.md, "Logs").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLog } from '../../local/log.js';
import { type RunningLocalProduct, startLocalProduct } from '../../local/product.js';
import { SessionAuthStore } from '../../session-host/auth-state.js';
import type { HostAdapters } from '../../session-host/compose.js';
import { cloudAdapters } from '../support/cloud-adapters.js';
import { ApiClient, eventually } from '../support/api-client.js';
import { type WebhookReceiver, startWebhookReceiver } from '../support/webhook-receiver.js';
import { FAST_HOST_ENV } from '../component/session-host/support.js';
import { scanApiQr } from '../support/scan-api-qr.js';

const ACCOUNT = '+15550005555';
const CONTACT = '+15550006666';
const digits = (e164: string) => e164.slice(1);

/** The host log lines that tell a session's life (claims, statuses, leases, doorbells, backlog, sends), compacted. */
function sessionLife(text: string): string {
  const telling =
    /^(session claimed|session status|backlog scheduled|.*\blease.*|.*doorbell.*|.*send.*fail.*|.*commit.*|stream errored out|connection closed.*)$/i;
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    const message = String(entry.message ?? '');
    if (!telling.test(message) || message.includes('transaction')) continue;
    const { time, hostId, status, reason, error, count } = entry;
    lines.push(JSON.stringify({ time, hostId, message, status, reason, error, count }));
  }
  return lines.slice(-60).join('\n');
}

interface SessionBody {
  id: string;
  status: string;
}

describe('end to end: no key material, API key or webhook secret in the hosts’ output', () => {
  let product: RunningLocalProduct;
  let api: ApiClient;
  let receiver: WebhookReceiver;
  let adapters: HostAdapters;
  const output: string[] = [];

  beforeAll(async () => {
    product = await startLocalProduct({
      simulator: true,
      hosts: 2,
      hostOutput: 'pipe',
      hostEnv: {
        ...FAST_HOST_ENV,
        APP_HEALTH_PORT: '0',
        APP_LOG_LEVEL: 'debug',
        APP_BAILEYS_LOG_LEVEL: 'trace',
      },
      stackFile: false,
      log: silentLog,
    });
    for (const host of product.hosts) {
      host.process.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      host.process.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    }
    api = new ApiClient(product.stack.apiUrl, product.stack.tenantApiKey!);
    adapters = cloudAdapters(product.cloud);
    receiver = await startWebhookReceiver();
  }, 90_000);
  afterAll(async () => {
    if (process.env.DUMP_HOST_OUTPUT)
      (await import('node:fs')).writeFileSync(process.env.DUMP_HOST_OUTPUT, output.join(''));
    adapters?.destroy();
    await receiver?.close();
    await product?.stop();
  }, 90_000);

  it('pairs, sends, receives and fails over with secrets nowhere in the output', async () => {
    const sim = product.simulator!;
    const webhook = await api.post<{ secret: string }>('/v1/webhooks', {
      url: receiver.url,
      events: ['message.received', 'message.status', 'session.status'],
    });
    expect(webhook.status).toBe(201);
    const created = await api.post<SessionBody>('/v1/sessions', { name: 'logs' });
    const sessionId = created.body.id;
    await scanApiQr(sim, api, sessionId, digits(ACCOUNT));
    await eventually(
      'connected',
      async () => {
        const r = await api.get<SessionBody>(`/v1/sessions/${sessionId}`);
        return r.body.status === 'connected' ? r.body : undefined;
      },
      60_000,
    );

    const send = (body: string) =>
      api.post(`/v1/sessions/${sessionId}/messages`, { to: CONTACT, type: 'text', text: { body } });
    // The contact's phone fails to decrypt the text and its resend, then asks with its keys: the host rebuilds the
    // Signal session from them, and libsignal prints the session record it closes (what the redaction must stop).
    sim.failDecryption(digits(CONTACT), { from: digits(ACCOUNT), count: 2 });
    expect((await send('before the failover')).status).toBe(202);
    await eventually('the first text delivered', async () =>
      sim.inbox(digits(CONTACT)).find((e) => e.text === 'before the failover'),
    );
    await sim.contactSend(digits(CONTACT), digits(ACCOUNT), 'a reply');
    await eventually('the reply in the history', async () => {
      const r = await api.get<{ items: { direction: string }[] }>(`/v1/sessions/${sessionId}/messages`);
      return r.body.items.find((m) => m.direction === 'inbound');
    });

    const owner = (await adapters.sessions.getById(sessionId))?.owner;
    const victim = product.hosts.find((h) => h.hostId === owner);
    if (!victim) throw new Error(`no running host owns the session (owner ${owner})`);
    await product.stopHost(victim, 'SIGKILL');
    await eventually(
      'connected on the other host',
      async () => {
        const s = await adapters.sessions.getById(sessionId);
        return s?.status === 'connected' && s.owner && s.owner !== victim.hostId ? s : undefined;
      },
      60_000,
    );
    expect((await send('after the failover')).status).toBe(202);
    // "Connected on the other host" is seen as soon as the heir holds the lease (a takeover keeps `connected`), so
    // this wait covers its login too; 60 s like the waits above, for a loaded CI machine. Seen once in CI: 30 s
    // passed without delivery, so a timeout names the hosts' session life to say where it stopped.
    await eventually(
      'the second text delivered',
      async () => sim.inbox(digits(CONTACT)).find((e) => e.text === 'after the failover'),
      60_000,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\nhosts' session life:\n${sessionLife(output.join(''))}`);
    });

    // The private keys the hosts held, read back from the stored credentials.
    // Read only: the data key exists, so no fenced write is attempted (this reader holds no lease).
    const auth = await SessionAuthStore.load({
      credentials: adapters.credentials,
      sessionId,
      fence: { hostId: 'test-reader', leaseEpoch: 0 },
      debounceMs: 60_000,
      onWriteError: () => undefined,
    });
    const { creds } = auth.state;
    const secrets: Buffer[] = [
      creds.noiseKey.private,
      creds.signedIdentityKey.private,
      creds.signedPreKey.keyPair.private,
      creds.pairingEphemeralKeyPair.private,
      Buffer.from(creds.advSecretKey, 'base64'),
    ].map((key) => Buffer.from(key));

    const text = output.join('');
    // The capture is real: the hosts did log the session's life at debug level.
    expect(text).toContain(sessionId);
    expect(text.length).toBeGreaterThan(10_000);
    // libsignal did print its session records (the leak this guards against): only their first line got through.
    expect(text).toMatch(/"objectsDropped":1,"message":"Closing session:"/);
    for (const key of secrets) {
      expect(text).not.toContain(key.toString('base64'));
      expect(text).not.toContain(key.toString('hex'));
    }
    expect(text).not.toContain(product.stack.tenantApiKey!);
    expect(text).not.toContain(webhook.body.secret);
    expect(text).not.toContain(webhook.body.secret.slice('whsec_'.length));
    // No key-shaped field printed with a value, whoever printed it.
    expect(text).not.toMatch(/"(privKey|rootKey|chainKey|private)"\s*:\s*"(?!\[redacted\])/);
  }, 180_000);
});
