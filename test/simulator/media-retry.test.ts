import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadContentFromMessage, downloadMediaMessage } from '@whiskeysockets/baileys';
import type { WAMessage, WASocket } from '@whiskeysockets/baileys';
import { provisionLinkedDevice, trustSimulator, WhatsAppSimulator } from '../../simulator/index.js';
import { connect, endAll, memoryAuth, nextEvent, opened, silentLogger } from './helpers.js';

const ME = '15553350001';
const EVE = '15553350002';

const statusOf = (error: unknown): number | undefined =>
  (error as { output?: { statusCode?: number } }).output?.statusCode;

const read = async (stream: AsyncIterable<unknown>): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

describe("today's CDN expires media; stock rc14 never asks the phone to re-upload it", () => {
  const sim = new WhatsAppSimulator();
  let untrust: () => void;
  let sock: WASocket;
  const retries: string[] = [];

  /** A contact's photo as Baileys received it, and its file's store id. */
  const photo = async (bytes: Buffer): Promise<{ m: WAMessage; mediaId: string }> => {
    const upsert = nextEvent(sock, 'messages.upsert', (u) =>
      u.messages.some((m) => !!m.message?.imageMessage),
    );
    const sent = await sim.contactSendMedia(EVE, ME, { kind: 'image', bytes, mimetype: 'image/jpeg' });
    const m = (await upsert).messages.find((x) => x.key.id === sent.id)!;
    return { m, mediaId: /\/media\/([0-9a-f]+)$/.exec(sent.media!.url)![1]! };
  };

  beforeAll(async () => {
    await sim.start({ port: 0 });
    untrust = trustSimulator(sim.rootPublicKey);
    sim.addContact(EVE, 'Eve');
    sim.events.on('media-retry', (e) => retries.push(e.messageId));
    sock = connect(sim, memoryAuth(await provisionLinkedDevice(sim, ME)));
    await opened(sock);
  });

  afterAll(async () => {
    endAll([sock]);
    await sim.stop();
    untrust();
  });

  it('an expired file: the CDN answers 410 and rc14 downloadMediaMessage rejects without a re-upload request; the old server still serves it', async () => {
    const bytes = randomBytes(3_000);
    const { m, mediaId } = await photo(bytes);
    const expire = await fetch(`${sim.controlUrl}/media/${mediaId}/expire`, { method: 'POST' });
    expect(expire.status).toBe(200);
    expect((await fetch(`${sim.controlUrl}/media/${mediaId}`)).status).toBe(410);

    const ctx = { logger: silentLogger, reuploadRequest: sock.updateMediaMessage };
    const failure = await downloadMediaMessage(m, 'buffer', {}, ctx).catch((e: unknown) => e);
    expect(statusOf(failure)).toBe(410);
    expect(retries).not.toContain(m.key.id); // rc14 reads `error.status`; its Boom carries `output.statusCode`

    sim.setLegacy(['no-media-expiry']);
    try {
      expect((await downloadMediaMessage(m, 'buffer', {}, ctx)).equals(bytes)).toBe(true);
    } finally {
      sim.setLegacy([]);
    }
  });

  it("the phone answers rc14's own re-upload request with a new directPath that serves the same file", async () => {
    const bytes = randomBytes(5_000);
    const { m, mediaId } = await photo(bytes);
    sim.expireMedia(mediaId);
    const updated = await sock.updateMediaMessage(m);
    expect(retries).toContain(m.key.id);
    const directPath = updated.message?.imageMessage?.directPath ?? '';
    expect(directPath).toMatch(/^\/media\/[0-9a-f]{32}$/);
    expect(directPath).not.toContain(mediaId);
    const stream = await downloadContentFromMessage(
      { mediaKey: m.message!.imageMessage!.mediaKey!, url: `${sim.controlUrl}${directPath}` },
      'image',
    );
    expect((await read(stream)).equals(bytes)).toBe(true);
  });

  it('a phone without the file answers <error code="2">: rc14 rejects with 404; an offline phone does not answer', async () => {
    const { m, mediaId } = await photo(randomBytes(1_000));
    sim.expireMedia(mediaId);
    const set = await fetch(`${sim.controlUrl}/accounts/${ME}/media-retry`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reply: 'error' }),
    });
    expect(await set.json()).toEqual({ reply: 'error', code: 2 });
    expect(statusOf(await sock.updateMediaMessage(m).catch((e: unknown) => e))).toBe(404);

    sim.setMediaRetryReply(ME, { reply: 'none' });
    const asked = nextEvent(sock, 'messages.media-update', () => true, 500).catch(() => 'no answer');
    void sock.updateMediaMessage(m).catch(() => undefined); // rc14 waits for ever: no timeout of its own
    expect(await asked).toBe('no answer');
    sim.setMediaRetryReply(ME, { reply: 'reupload' });
  });
});
