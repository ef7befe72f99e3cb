import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WASocket } from '@whiskeysockets/baileys';
import { provisionLinkedDevice, trustSimulator, WhatsAppSimulator } from '../../simulator/index.js';
import type { InboxEntry } from '../../simulator/index.js';
import { connect, endAll, eventually, mediaAgent, memoryAuth, opened } from './helpers.js';

const ME = '15553350001';
const EVE = '15553350002';
const EVE_JID = `${EVE}@s.whatsapp.net`;

/** One HTTPS POST to the media host, trusting its certificate (or not). */
const upload = (
  sim: WhatsAppSimulator,
  path: string,
  body: Buffer,
  trust = true,
): Promise<{ status: number; json: Record<string, unknown> }> =>
  new Promise((resolve, reject) => {
    const [hostname, port] = sim.mediaHost.split(':');
    const req = request(
      {
        hostname,
        port: Number(port),
        path,
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream', 'content-length': body.length },
        ...(trust ? { ca: sim.mediaCaPem } : {}),
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as Record<string, unknown> }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });

const hash64url = (b: Buffer): string => createHash('sha256').update(b).digest('base64url');

describe('a companion sends media: Baileys uploads to the simulator media host, the contact decrypts it', () => {
  const sim = new WhatsAppSimulator();
  let untrust: () => void;
  let sock: WASocket;

  const inboxEntry = (id: string | null | undefined): Promise<InboxEntry> =>
    eventually(() => sim.inbox(EVE).find((e) => e.id === id), 10_000, `inbox entry ${id}`);

  beforeAll(async () => {
    await sim.start({ port: 0 });
    untrust = trustSimulator(sim.rootPublicKey);
    sim.addContact(EVE, 'Eve');
    sock = connect(sim, memoryAuth(await provisionLinkedDevice(sim, ME)), { fetchAgent: mediaAgent(sim) });
    await opened(sock);
  });

  afterAll(async () => {
    endAll([sock]);
    await sim.stop();
    untrust();
  });

  it('an image: media_conn, HTTPS upload, and the contact decrypts exactly the bytes', async () => {
    expect(sim.mediaHost).toMatch(/^127\.0\.0\.1:\d+$/);
    const info = (await (await fetch(`${sim.controlUrl}/`)).json()) as Record<string, unknown>;
    expect(info).toMatchObject({ mediaHost: sim.mediaHost, mediaCaPem: sim.mediaCaPem });
    expect(sim.mediaCaPem).toMatch(/^-----BEGIN CERTIFICATE-----/);

    const photo = randomBytes(30_001);
    const uploads: { id: string; mediaType: string; size: number }[] = [];
    sim.events.on('media-upload', (u) => uploads.push(u));
    const sent = await sock.sendMessage(EVE_JID, { image: photo, mimetype: 'image/jpeg', caption: 'look' });
    const entry = await inboxEntry(sent?.key.id);

    expect(entry).toMatchObject({
      type: 'image',
      text: 'look',
      media: {
        mimetype: 'image/jpeg',
        fileLength: photo.length,
        sha256: createHash('sha256').update(photo).digest('hex'),
      },
    });
    expect(entry.media?.error).toBeUndefined();
    expect(sim.contactMedia(EVE, entry.id).equals(photo)).toBe(true);
    // What Baileys put on the message: the media host's url and direct path.
    const image = (entry.content as { imageMessage: { url: string; directPath: string } }).imageMessage;
    expect(image.directPath).toMatch(/^\/v\/[0-9a-f]{32}\?ccb=11-4$/);
    expect(image.url).toBe(`https://${sim.mediaHost}${image.directPath}&mms3=true`);
    expect(uploads).toEqual([{ id: expect.any(String), mediaType: 'image', size: expect.any(Number) }]);

    const served = await fetch(`${sim.controlUrl}/contacts/${EVE}/inbox/${entry.id}/media`);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await served.arrayBuffer()).equals(photo)).toBe(true);
  });

  it('an expired upload token: the upload is refused (401) and the send fails; the next send uploads again', async () => {
    sim.revokeMediaAuth();
    const before = sim.inbox(EVE).length;
    await expect(
      sock.sendMessage(EVE_JID, { document: randomBytes(2_000), mimetype: 'application/pdf' }),
    ).rejects.toThrow(/Media upload failed on all hosts/);
    expect(sim.inbox(EVE)).toHaveLength(before);

    // Baileys asked media_conn again after the refusal, so the next upload carries the new token.
    const pdf = randomBytes(2_500);
    const sent = await sock.sendMessage(EVE_JID, {
      document: pdf,
      mimetype: 'application/pdf',
      fileName: 'invoice.pdf',
    });
    const entry = await inboxEntry(sent?.key.id);
    expect(entry.type).toBe('document');
    expect(sim.contactMedia(EVE, entry.id).equals(pdf)).toBe(true);
  });

  it('the media host checks the token, the hash and the certificate', async () => {
    const file = randomBytes(100);
    const hash = hash64url(file);
    const bad = await upload(sim, `/mms/image/${hash}?auth=nope&token=${hash}`, file);
    expect(bad).toEqual({ status: 401, json: { error: 'unauthorized' } });

    // A token from media_conn (any client gets the current one), but a body that does not match the hash.
    const auth = await currentAuth(sock);
    const mismatch = await upload(
      sim,
      `/mms/image/${hash}?auth=${encodeURIComponent(auth)}&token=${hash}`,
      randomBytes(100),
    );
    expect(mismatch).toEqual({ status: 400, json: { error: 'hash_mismatch' } });

    const good = await upload(sim, `/mms/image/${hash}?auth=${encodeURIComponent(auth)}&token=${hash}`, file);
    expect(good.status).toBe(200);
    expect(good.json.direct_path).toMatch(/^\/v\/[0-9a-f]{32}/);

    // Nothing trusts the certificate unless told to.
    await expect(upload(sim, `/mms/image/${hash}?auth=x&token=${hash}`, file, false)).rejects.toThrow(
      /self-signed/,
    );

    expect(() => sim.contactMedia(EVE, 'NOPE')).toThrow(/no message NOPE/);
    const none = await fetch(`${sim.controlUrl}/contacts/${EVE}/inbox/NOPE/media`);
    expect(none.status).toBe(404);
  });
});

/** The `auth` of a fresh `media_conn` answer, asked through the socket as Baileys does. */
const currentAuth = async (sock: WASocket): Promise<string> => {
  const result = await sock.query({
    tag: 'iq',
    attrs: { type: 'set', xmlns: 'w:m', to: 's.whatsapp.net' },
    content: [{ tag: 'media_conn', attrs: {} }],
  });
  const conn = (result.content as { tag: string; attrs: Record<string, string> }[]).find(
    (n) => n.tag === 'media_conn',
  );
  return conn?.attrs.auth ?? '';
};
