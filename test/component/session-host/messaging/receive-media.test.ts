import { randomBytes } from 'node:crypto';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WAMessage } from '@whiskeysockets/baileys';
import type { Message } from '../../../../shared/domain/message.js';
import type { BlobStore } from '../../../../shared/ports/blob-store.js';
import { mediaObjectKey } from '../../../../session-host/messaging/index.js';
import { nextEvent } from '../../../simulator/helpers.js';
import {
  attachOnAnotherHost,
  startMessagingWorld,
  TEST_MESSAGING_CONFIG,
  until,
  type LinkedAccount,
  type MessagingWorld,
} from './support.js';

const ME = '15554460001';
const CAROL = '+15554460002';
const CAROL_JID = '15554460002@s.whatsapp.net';
/** Small, so a too-large file stays cheap to send. */
const LIMIT = 32 * 1024;

describe('incoming media is downloaded into the media bucket (HostMessaging on a real Baileys socket)', () => {
  let world: MessagingWorld;
  let me: LinkedAccount;

  const stored = (waMessageId: string) =>
    until(
      async () => (await world.repos.messages.findByWaMessageId(me.sessionId, waMessageId)) ?? undefined,
      `message ${waMessageId} stored`,
    );
  const published = (id: string) =>
    world.bus.ofType('message.received').find((e) => e.data.message.id === id);
  /** Object keys in the media bucket under this tenant's prefix. */
  const bucketKeys = async (): Promise<string[]> => {
    const listed = await world.aws.clients.s3.send(
      new ListObjectsV2Command({
        Bucket: world.aws.config.APP_MEDIA_BUCKET,
        Prefix: `media/${me.tenantId}/`,
      }),
    );
    return (listed.Contents ?? []).map((o) => o.Key ?? '');
  };
  const mediaIdOf = (m: Message): string | undefined => {
    const c = m.content;
    if (c.type === 'image') return c.image.mediaId;
    if (c.type === 'document') return c.document.mediaId;
    return undefined;
  };

  beforeAll(async () => {
    world = await startMessagingWorld({ ...TEST_MESSAGING_CONFIG, mediaMaxBytes: LIMIT });
    world.sim.addContact(CAROL, 'Carol');
    me = await world.link(ME);
  }, 60_000);

  afterAll(async () => {
    await world?.stop();
  });

  it('an image with a caption and a document with a file name: stored with mediaId, the bucket has the bytes, message.received carries the mediaId', async () => {
    const photo = randomBytes(20_000);
    const pdf = Buffer.from('%PDF-1.4 invoice 17\n'.repeat(500));
    const sentPhoto = await world.sim.contactSendMedia(CAROL, ME, {
      kind: 'image',
      bytes: photo,
      mimetype: 'image/jpeg',
      caption: 'Arrived broken',
    });
    const sentPdf = await world.sim.contactSendMedia(CAROL, ME, {
      kind: 'document',
      bytes: pdf,
      mimetype: 'application/pdf',
      fileName: 'invoice-17.pdf',
    });

    const image = await stored(sentPhoto.id);
    expect(image).toMatchObject({
      direction: 'inbound',
      chatJid: CAROL_JID,
      from: { phone: CAROL },
      type: 'image',
      content: {
        type: 'image',
        image: { mediaId: expect.any(String), mimeType: 'image/jpeg', caption: 'Arrived broken' },
      },
    });
    const document = await stored(sentPdf.id);
    expect(document.content).toEqual({
      type: 'document',
      document: { mediaId: expect.any(String), mimeType: 'application/pdf', fileName: 'invoice-17.pdf' },
    });

    const imageObject = await world.media.get(mediaObjectKey(me.tenantId, mediaIdOf(image)!));
    expect(imageObject?.bytes.equals(photo)).toBe(true);
    expect(imageObject?.contentType).toBe('image/jpeg');
    const documentObject = await world.media.get(mediaObjectKey(me.tenantId, mediaIdOf(document)!));
    expect(documentObject?.bytes.equals(pdf)).toBe(true);
    expect(documentObject?.contentType).toBe('application/pdf');
    expect(await bucketKeys()).toHaveLength(2);

    await me.session.idle();
    expect(published(image.id)?.data.message.content).toEqual(image.content);
    expect(published(document.id)?.data.message.content).toEqual(document.content);
    expect((await world.repos.chats.get(me.sessionId, CAROL_JID))?.lastMessage).toMatchObject({
      id: document.id,
      type: 'document',
      preview: 'invoice-17.pdf',
    });
    expect(world.metrics.get('MediaDownloads')).toBe(2);
  });

  it('a file over the size limit is stored and published without a mediaId; nothing is written to the bucket', async () => {
    const before = await bucketKeys();
    const big = await world.sim.contactSendMedia(CAROL, ME, {
      kind: 'image',
      bytes: randomBytes(LIMIT + 1),
      mimetype: 'image/png',
      caption: 'too big',
    });
    const m = await stored(big.id);
    expect(m.content).toEqual({ type: 'image', image: { mimeType: 'image/png', caption: 'too big' } });
    await me.session.idle();
    expect(published(m.id)?.data.message.content).toEqual(m.content);
    expect(await bucketKeys()).toEqual(before);
    expect(world.metrics.get('MediaDownloadsSkipped')).toBe(1);
  });

  it('a file that turns out larger than its declared fileLength is cut off at the limit and not stored', async () => {
    const before = await bucketKeys();
    const upsert = nextEvent(me.socket, 'messages.upsert', (u) =>
      u.messages.some((x) => !x.key.fromMe && !!x.message?.imageMessage),
    );
    const sent = await world.sim.contactSendMedia(CAROL, ME, {
      kind: 'image',
      bytes: randomBytes(LIMIT + 4096),
      mimetype: 'image/png',
    });
    const original = (await upsert).messages.find((x) => x.key.id === sent.id)!;
    await stored(sent.id);
    await me.session.idle();
    const skipped = world.metrics.get('MediaDownloadsSkipped') ?? 0;

    // The same file under a new id, claiming to be small: the download stops at the limit.
    const liar: WAMessage = {
      ...original,
      key: { ...original.key, id: `${sent.id}1` },
      message: { imageMessage: { ...original.message!.imageMessage!, fileLength: 1000 } },
    };
    me.socket.ev.emit('messages.upsert', { messages: [liar], type: 'notify' });
    const m = await stored(`${sent.id}1`);
    expect(m.content).toEqual({ type: 'image', image: { mimeType: 'image/png' } });
    expect(await bucketKeys()).toEqual(before);
    expect(world.metrics.get('MediaDownloadsSkipped')).toBe(skipped + 1);
  });

  it('a download that fails (the media host answers 503) still stores and publishes the message', async () => {
    const before = await bucketKeys();
    const failuresBefore = world.metrics.get('MediaDownloadFailures') ?? 0;
    world.sim.injectFault({ type: 'media-error', status: 503 });
    const sent = await world.sim.contactSendMedia(CAROL, ME, {
      kind: 'document',
      bytes: Buffer.from('quarterly figures'),
      mimetype: 'text/csv',
      fileName: 'q3.csv',
      caption: 'as promised',
    });
    const m = await stored(sent.id);
    expect(m.content).toEqual({
      type: 'document',
      document: { mimeType: 'text/csv', fileName: 'q3.csv', caption: 'as promised' },
    });
    await me.session.idle();
    expect(published(m.id)?.data.message).toMatchObject({ waMessageId: sent.id, content: m.content });
    expect(await bucketKeys()).toEqual(before);
    expect(world.metrics.get('MediaDownloadFailures')).toBe(failuresBefore + 1);
    expect(world.warnings).toContainEqual({
      message: 'incoming media not stored; the message is stored without it',
      fields: expect.objectContaining({ waMessageId: sent.id, error: 'media host answered 503' }),
    });
    expect(world.sim.listFaults()).toEqual([]); // the fault was used by this download
  });

  it('a burst of photos downloads side by side (up to the host cap) while messages are still stored in order', async () => {
    me.session.detach();
    // The bucket write of every download waits for the test: what is in flight at once is what ran in parallel.
    let inFlight = 0;
    let peak = 0;
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const gatedMedia: BlobStore = {
      ...world.media,
      get: (key) => world.media.get(key),
      exists: (key) => world.media.exists(key),
      delete: (key) => world.media.delete(key),
      put: async (key, bytes, options) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await gate;
        inFlight--;
        return world.media.put(key, bytes, options);
      },
    };
    const { messaging: host, session } = attachOnAnotherHost(world, me, {
      media: gatedMedia,
      config: { mediaDownloadConcurrency: 2 },
    });
    try {
      const sent = [];
      for (let i = 0; i < 3; i++) {
        sent.push(
          await world.sim.contactSendMedia(CAROL, ME, {
            kind: 'image',
            bytes: randomBytes(4_000),
            mimetype: 'image/jpeg',
            caption: `photo ${i}`,
          }),
        );
      }
      sent.push(await world.sim.contactSend(CAROL, ME, 'and a text after them'));

      await until(async () => (inFlight === 2 ? true : undefined), 'two downloads in flight at once');
      await new Promise((r) => setTimeout(r, 200));
      expect(peak).toBe(2); // the cap holds: the third waits for a slot
      // Nothing is stored out of order meanwhile: not the text, not a later photo.
      for (const s of sent) {
        expect(await world.repos.messages.findByWaMessageId(me.sessionId, s.id)).toBeNull();
      }

      open();
      const messages = [];
      for (const s of sent) messages.push(await stored(s.id));
      expect(messages.map((m) => m.type)).toEqual(['image', 'image', 'image', 'text']);
      expect(messages.map((m) => m.id)).toEqual(messages.map((m) => m.id).sort());
      for (const m of messages.slice(0, 3)) expect(mediaIdOf(m)).toEqual(expect.any(String));
    } finally {
      open();
      session.detach();
      await host.close();
    }
  });
});
