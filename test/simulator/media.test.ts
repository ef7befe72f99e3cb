import { createHash, randomBytes } from 'node:crypto';
import { readFile, unlink } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadMediaMessage, encryptedStream } from '@whiskeysockets/baileys';
import type { BinaryNode, WAMessage, WASocket } from '@whiskeysockets/baileys';
import { provisionLinkedDevice, trustSimulator, WhatsAppSimulator } from '../../simulator/index.js';
import { encryptMedia } from '../../simulator/world/media.js';
import { connect, endAll, memoryAuth, nextEvent, opened } from './helpers.js';

const ME = '15553340001';
const DORA = '15553340002';

/** The next message from someone else that carries `field` (e.g. imageMessage). */
const incoming = async (sock: WASocket, field: 'imageMessage' | 'documentMessage'): Promise<WAMessage> => {
  const has = (m: WAMessage) => !m.key.fromMe && !!m.message?.[field];
  const upsert = await nextEvent(sock, 'messages.upsert', (u) => u.messages.some(has));
  return upsert.messages.find(has)!;
};

const post = async (
  url: string,
  body: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
};

describe('a contact sends media: encrypted as WhatsApp does, served by the simulator, downloaded by Baileys', () => {
  const sim = new WhatsAppSimulator();
  let untrust: () => void;
  let sock: WASocket;
  const stanzas: BinaryNode[] = [];

  beforeAll(async () => {
    await sim.start({ port: 0 });
    untrust = trustSimulator(sim.rootPublicKey);
    sim.addContact(DORA, 'Dora');
    sim.events.on('stanza', (e) => {
      if (e.direction === 'out' && e.node.tag === 'message') stanzas.push(e.node);
    });
    sock = connect(sim, memoryAuth(await provisionLinkedDevice(sim, ME)));
    await opened(sock);
  });

  afterAll(async () => {
    endAll([sock]);
    await sim.stop();
    untrust();
  });

  it("encrypts byte for byte as Baileys' own encryptedStream (same media key)", async () => {
    const plain = randomBytes(40_003);
    const theirs = await encryptedStream(plain, 'image');
    const theirFile = await readFile(theirs.encFilePath);
    await unlink(theirs.encFilePath);
    const ours = await encryptMedia(plain, 'image', theirs.mediaKey);
    expect(ours.file.equals(theirFile)).toBe(true);
    expect(ours.fileSha256.equals(theirs.fileSha256)).toBe(true);
    expect(ours.fileEncSha256.equals(theirs.fileEncSha256)).toBe(true);
    expect(ours.fileLength).toBe(theirs.fileLength);
  });

  it('an image with a caption: Baileys gets an imageMessage with a url and no directPath; downloadMediaMessage returns the bytes', async () => {
    const bytes = randomBytes(25_000);
    const received = incoming(sock, 'imageMessage');
    const entry = await sim.contactSendMedia(DORA, ME, {
      kind: 'image',
      bytes,
      mimetype: 'image/jpeg',
      caption: 'the receipt',
    });
    expect(entry).toMatchObject({
      to: ME,
      type: 'image',
      text: 'the receipt',
      status: 'sent',
      media: { mimetype: 'image/jpeg', fileLength: bytes.length },
    });
    expect(entry.media?.url).toMatch(new RegExp(`^${sim.controlUrl}/media/[0-9a-f]{32}$`));

    const m = await received;
    expect(m.key.id).toBe(entry.id);
    const image = m.message!.imageMessage!;
    expect(image).toMatchObject({ url: entry.media?.url, mimetype: 'image/jpeg', caption: 'the receipt' });
    expect(image.directPath ?? undefined).toBeUndefined();
    expect(Number(image.fileLength)).toBe(bytes.length);
    expect(Buffer.from(image.fileSha256!).equals(createHash('sha256').update(bytes).digest())).toBe(true);

    const downloaded = await downloadMediaMessage(m, 'buffer', {});
    expect(downloaded.equals(bytes)).toBe(true);

    // The stanza is a media message, as WhatsApp sends it.
    const stanza = stanzas.find((n) => n.attrs.id === entry.id);
    expect(stanza?.attrs.type).toBe('media');
    expect((stanza?.content as BinaryNode[])[0]?.attrs).toMatchObject({ mediatype: 'image' });
  });

  it('through the control API: POST /contacts/{phone}/send-media (a document), GET /media/{id}, 404s and the media-error fault', async () => {
    const bytes = Buffer.from('%PDF-1.4 pretend invoice\n'.repeat(200));
    const received = incoming(sock, 'documentMessage');
    const { status, json } = await post(`${sim.controlUrl}/contacts/+${DORA}/send-media`, {
      to: ME,
      kind: 'document',
      data: bytes.toString('base64'),
      mimetype: 'application/pdf',
      fileName: 'invoice-17.pdf',
    });
    expect(status).toBe(201);
    expect(json).toMatchObject({
      to: ME,
      type: 'document',
      media: { mimetype: 'application/pdf', fileName: 'invoice-17.pdf', fileLength: bytes.length },
    });
    const m = await received;
    expect(m.message?.documentMessage).toMatchObject({
      fileName: 'invoice-17.pdf',
      mimetype: 'application/pdf',
    });
    expect((await downloadMediaMessage(m, 'buffer', {})).equals(bytes)).toBe(true);

    // The served file is the encrypted one (ciphertext + MAC), not the plain bytes.
    const url = (json.media as { url: string }).url;
    const served = await fetch(url);
    expect(served.status).toBe(200);
    const file = Buffer.from(await served.arrayBuffer());
    expect(file.length).toBe((Math.floor(bytes.length / 16) + 1) * 16 + 10);
    expect(
      createHash('sha256')
        .update(file)
        .digest()
        .equals(Buffer.from(m.message!.documentMessage!.fileEncSha256!)),
    ).toBe(true);

    const unknown = await fetch(`${sim.controlUrl}/media/${'0'.repeat(32)}`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: 'unknown_media' });

    expect((await post(`${sim.controlUrl}/faults`, { type: 'media-error', status: 410 })).status).toBe(201);
    await expect(downloadMediaMessage(m, 'buffer', {})).rejects.toMatchObject({
      output: { statusCode: 410 },
    });
    expect((await downloadMediaMessage(m, 'buffer', {})).equals(bytes)).toBe(true); // count 1: used up

    const bad = await post(`${sim.controlUrl}/contacts/${DORA}/send-media`, {
      to: ME,
      kind: 'gif',
      data: 'AAAA',
      mimetype: 'image/gif',
    });
    expect(bad).toMatchObject({ status: 400, json: { error: 'invalid_body' } });
  });
});
