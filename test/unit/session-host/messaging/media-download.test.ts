import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeTime } from 'ulid';
import { describe, expect, it } from 'vitest';
import type { proto, WAMessage } from '@whiskeysockets/baileys';
import pino from 'pino';
import { isId } from '../../../../shared/domain/ids.js';
import type { MessageContent } from '../../../../shared/domain/message.js';
import { DEFAULT_MESSAGING_CONFIG } from '../../../../session-host/messaging/config.js';
import type { AttachedSession, MessagingDeps } from '../../../../session-host/messaging/deps.js';
import { inboundMediaId, withInboundMedia } from '../../../../session-host/messaging/media-download.js';

const SESSION = '01M88Q4TX5VQZXFJ3EW30V6H29';
const IMAGE: MessageContent = { type: 'image', image: { mimeType: 'image/jpeg' } };

/** HostMessaging's deps as far as the download uses them, recording what happened. */
function harness(config: Partial<MessagingDeps['config']> = {}) {
  const puts: string[] = [];
  const metrics = new Map<string, number>();
  const warnings: Record<string, unknown>[] = [];
  const deps = {
    config: { ...DEFAULT_MESSAGING_CONFIG, mediaMaxBytes: 1024, ...config },
    media: {
      put: async (key: string) => {
        puts.push(key);
        return { version: '1' };
      },
    },
    log: {
      debug: () => undefined,
      info: () => undefined,
      warn: (_m: string, fields?: Record<string, unknown>) => warnings.push(fields ?? {}),
      error: () => undefined,
    },
    metrics: { count: (name: string) => metrics.set(name, (metrics.get(name) ?? 0) + 1) },
  } as unknown as MessagingDeps;
  const session = {
    tenantId: '01M88Q4TX5VQZXFJ3EW30V6H30',
    sessionId: SESSION,
    socket: {
      logger: pino({ level: 'silent' }),
      updateMediaMessage: () => Promise.reject(new Error('no re-upload here')),
    },
    flushCredentials: async () => undefined,
  } as unknown as AttachedSession;
  return { deps, session, puts, metrics, warnings };
}

const imageMessage = (image: proto.Message.IImageMessage): WAMessage => ({
  key: { id: '3EB0AAAA', remoteJid: '15550001111@s.whatsapp.net', fromMe: false },
  messageTimestamp: 1_700_000_000,
  message: { imageMessage: { mimetype: 'image/jpeg', mediaKey: randomBytes(32), fileLength: 10, ...image } },
});

describe('the download of an incoming media file', () => {
  it('names the object by session and WhatsApp id: the same message always gives the same ULID', () => {
    const a = inboundMediaId(SESSION, '3EB0AAAA', 1_700_000_000_000);
    expect(isId(a)).toBe(true);
    expect(decodeTime(a)).toBe(1_700_000_000_000);
    expect(inboundMediaId(SESSION, '3EB0AAAA', 1_700_000_000_000)).toBe(a);
    expect(inboundMediaId(SESSION, '3EB0AAAB', 1_700_000_000_000)).not.toBe(a);
    expect(inboundMediaId('01M88Q4TX5VQZXFJ3EW30V6H31', '3EB0AAAA', 1_700_000_000_000)).not.toBe(a);
  });

  it('leaves content that is not media alone', async () => {
    const h = harness();
    const text: MessageContent = { type: 'text', text: { body: 'hi' } };
    expect(await withInboundMedia(h.deps, h.session, imageMessage({}), text)).toBe(text);
    expect(h.metrics.size).toBe(0);
  });

  it('does not download a file whose declared size is over the limit', async () => {
    const h = harness();
    const m = imageMessage({ url: 'http://127.0.0.1:9/never', fileLength: 1025 });
    expect(await withInboundMedia(h.deps, h.session, m, IMAGE)).toEqual(IMAGE);
    expect(h.puts).toEqual([]);
    expect(h.metrics.get('MediaDownloadsSkipped')).toBe(1);
    expect(h.warnings).toEqual([]);
  });

  it.each([
    ['the metadata address', { url: 'http://169.254.169.254/latest/meta-data/' }],
    ['a look-alike host', { url: 'https://mmg.whatsapp.net.example.com/v/t62/x' }],
    ['cleartext to WhatsApp', { url: 'http://mmg.whatsapp.net/v/t62/x' }],
    ['a directPath on a foreign url host', { url: 'https://10.0.0.5/x', directPath: '/v/t62/x' }],
    ['loopback outside local mode', { url: 'http://127.0.0.1:9/media/x' }],
    ['no address at all', {}],
  ])('refuses %s without fetching it', async (_what, address) => {
    const h = harness({ allowLoopback: false });
    expect(await withInboundMedia(h.deps, h.session, imageMessage(address), IMAGE)).toEqual(IMAGE);
    expect(h.puts).toEqual([]);
    expect(h.metrics.get('MediaDownloadFailures')).toBe(1);
    expect(h.warnings[0]).toMatchObject({
      reason: Object.keys(address).length ? 'unsafe_url' : 'no_url',
    });
  });

  it('gives up a download that does not finish in time; the content comes back without a mediaId', async () => {
    const server = createServer(() => undefined); // accepts, never answers
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const h = harness({ allowLoopback: true, mediaDownloadTimeoutMs: 200 });
      const started = Date.now();
      const m = imageMessage({ url: `http://127.0.0.1:${port}/media/slow` });
      expect(await withInboundMedia(h.deps, h.session, m, IMAGE)).toEqual(IMAGE);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(h.metrics.get('MediaDownloadFailures')).toBe(1);
      expect(h.warnings[0]).toMatchObject({ reason: 'timeout' });
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
