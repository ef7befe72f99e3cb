import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../../shared/domain/ids.js';
import type { Message } from '../../../../shared/domain/message.js';
import { mediaObjectKey, waMessageIdFor } from '../../../../session-host/messaging/index.js';
import type { InboxEntry } from '../../../../simulator/world/types.js';
import {
  queueMessage,
  startMediaServer,
  startMessagingWorld,
  type LinkedAccount,
  type MessagingWorld,
} from './support.js';

const ME = '15554440001';
const ALICE = '+15554440002';
const BOB = '+15554440003';

type Json = Record<string, Record<string, unknown>>;

describe('sending through HostMessaging on a real Baileys socket', () => {
  let world: MessagingWorld;
  let me: LinkedAccount;
  let server: Awaited<ReturnType<typeof startMediaServer>>;
  const png = randomBytes(3_000);
  const mp4 = randomBytes(5_000);
  const ogg = randomBytes(2_000);
  const pdf = randomBytes(4_000);
  const webp = randomBytes(1_500);
  const huge = randomBytes(100 * 1024);
  const uploaded = { image: newId(), audio: newId(), sticker: newId() };

  /** Rings one message and waits until this session has nothing left to do. */
  const send = async (message: Message): Promise<Message> => {
    me.session.ring(message.id);
    await me.session.idle();
    return (await world.repos.messages.get(me.sessionId, message.id))!;
  };
  const inboxEntry = (phone: string, message: Message): InboxEntry | undefined =>
    world.sim.inbox(phone).find((e) => e.id === waMessageIdFor(message.id));
  const content = (entry: InboxEntry | undefined): Json => (entry?.content ?? {}) as Json;
  /** The file the contact's phone fetched from the simulator's media host and decrypted. */
  const received = (phone: string, message: Message): Buffer =>
    world.sim.contactMedia(phone, waMessageIdFor(message.id));

  beforeAll(async () => {
    world = await startMessagingWorld();
    world.sim.addContact(ALICE, 'Alice');
    world.sim.addContact(BOB, 'Bob');
    me = await world.link(ME);
    await world.media.put(mediaObjectKey(me.tenantId, uploaded.image), png);
    await world.media.put(mediaObjectKey(me.tenantId, uploaded.audio), ogg);
    await world.media.put(mediaObjectKey(me.tenantId, uploaded.sticker), webp);
    server = await startMediaServer({
      '/clip.mp4': { body: mp4, type: 'video/mp4' },
      '/report.pdf': { body: pdf, type: 'application/pdf' },
      '/huge.bin': { body: huge, type: 'application/octet-stream' },
    });
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await world?.stop();
  });

  it('text: sent under the WhatsApp id derived from ours, credentials flushed while still sending, then sent', async () => {
    const queued = await queueMessage(
      world.repos,
      me,
      ALICE,
      { type: 'text', text: { body: 'Hello Alice' } },
      {
        metadata: { orderId: 'A-1' },
      },
    );
    me.watch = queued.id;
    const sent = await send(queued);
    me.watch = undefined;

    expect(sent).toMatchObject({ status: 'sent', waMessageId: waMessageIdFor(queued.id) });
    expect(sent.statusHistory.map((h) => h.status)).toEqual(['queued', 'sending', 'sent']);
    expect(me.flushes).toEqual(['sending']);
    const entry = inboxEntry(ALICE, queued);
    expect(entry).toMatchObject({ type: 'text', text: 'Hello Alice', from: `${ME}:1@s.whatsapp.net` });
    const statusEvents = world.bus.ofType('message.status').filter((e) => e.data.messageId === queued.id);
    expect(statusEvents.map((e) => e.data)).toEqual([
      {
        messageId: queued.id,
        waMessageId: waMessageIdFor(queued.id),
        status: 'sent',
        metadata: { orderId: 'A-1' },
      },
    ]);
    const chat = await world.repos.chats.get(me.sessionId, '15554440002@s.whatsapp.net');
    expect(chat).toMatchObject({
      phone: ALICE,
      unreadCount: 0,
      lastMessage: { id: queued.id, direction: 'outbound', preview: 'Hello Alice' },
    });
  });

  it('a reply quotes the WhatsApp id of the message it answers', async () => {
    const first = await send(
      await queueMessage(world.repos, me, ALICE, { type: 'text', text: { body: 'first' } }),
    );
    const reply = await send(
      await queueMessage(
        world.repos,
        me,
        ALICE,
        { type: 'text', text: { body: 'a reply' } },
        { replyTo: first.id },
      ),
    );
    expect(reply.status).toBe('sent');
    const ext = content(inboxEntry(ALICE, reply)).extendedTextMessage;
    expect(ext).toMatchObject({
      text: 'a reply',
      contextInfo: { stanzaId: first.waMessageId, quotedMessage: { conversation: 'first' } },
    });
  });

  it('image, video, voice note, document and sticker, from an upload or a URL, go through the media host and arrive with their bytes', async () => {
    const image = await send(
      await queueMessage(world.repos, me, ALICE, {
        type: 'image',
        image: { mediaId: uploaded.image, mimeType: 'image/png', caption: 'the chart' },
      }),
    );
    const video = await send(
      await queueMessage(world.repos, me, ALICE, {
        type: 'video',
        video: { url: server.url('/clip.mp4'), caption: 'clip', gifPlayback: true },
      }),
    );
    const audio = await send(
      await queueMessage(world.repos, me, ALICE, {
        type: 'audio',
        audio: { mediaId: uploaded.audio, ptt: true },
      }),
    );
    const document = await send(
      await queueMessage(world.repos, me, ALICE, {
        type: 'document',
        document: { url: server.url('/report.pdf'), fileName: 'report.pdf', caption: 'Q3' },
      }),
    );
    const sticker = await send(
      await queueMessage(world.repos, me, ALICE, { type: 'sticker', sticker: { mediaId: uploaded.sticker } }),
    );
    for (const m of [image, video, audio, document, sticker]) expect(m.status).toBe('sent');

    const img = content(inboxEntry(ALICE, image)).imageMessage!;
    expect(img).toMatchObject({ mimetype: 'image/png', caption: 'the chart' });
    // Baileys' real upload: media_conn, an HTTPS POST to the simulator's media host, its url on the message.
    expect(String(img.url)).toMatch(new RegExp(`^https://${world.sim.mediaHost}/v/[0-9a-f]{32}`));
    expect(inboxEntry(ALICE, image)?.media).toMatchObject({ mimetype: 'image/png', fileLength: png.length });
    expect(received(ALICE, image).equals(png)).toBe(true);

    const vid = content(inboxEntry(ALICE, video)).videoMessage!;
    expect(vid).toMatchObject({ mimetype: 'video/mp4', caption: 'clip', gifPlayback: true });
    expect(received(ALICE, video).equals(mp4)).toBe(true);

    const aud = content(inboxEntry(ALICE, audio)).audioMessage!;
    expect(aud).toMatchObject({ mimetype: 'audio/ogg; codecs=opus', ptt: true });
    expect(received(ALICE, audio).equals(ogg)).toBe(true);

    const doc = content(inboxEntry(ALICE, document)).documentMessage!;
    expect(doc).toMatchObject({ mimetype: 'application/pdf', fileName: 'report.pdf', caption: 'Q3' });
    expect(received(ALICE, document).equals(pdf)).toBe(true);

    const stk = content(inboxEntry(ALICE, sticker)).stickerMessage!;
    expect(stk).toMatchObject({ mimetype: 'image/webp' });
    expect(received(ALICE, sticker).equals(webp)).toBe(true);
  });

  it('location, contact cards and a reaction arrive as WhatsApp messages of their kind', async () => {
    const location = await send(
      await queueMessage(world.repos, me, BOB, {
        type: 'location',
        location: { latitude: 52.52, longitude: 13.405, name: 'Office', address: 'Main St 1' },
      }),
    );
    const one = await send(
      await queueMessage(world.repos, me, BOB, {
        type: 'contacts',
        contacts: [{ name: { formattedName: 'Ann; Support' }, phones: [{ phone: '+15550001234' }] }],
      }),
    );
    const two = await send(
      await queueMessage(world.repos, me, BOB, {
        type: 'contacts',
        contacts: [
          { name: { formattedName: 'Ann' }, phones: [{ phone: '+15550001234' }] },
          { name: { formattedName: 'Ben' }, phones: [{ phone: '+15550005678' }, { phone: '+4930123456' }] },
        ],
      }),
    );
    const reaction = await send(
      await queueMessage(world.repos, me, BOB, {
        type: 'reaction',
        reaction: { messageId: location.id, emoji: '👍' },
      }),
    );
    for (const m of [location, one, two, reaction]) expect(m.status).toBe('sent');

    expect(inboxEntry(BOB, location)?.type).toBe('location');
    expect(content(inboxEntry(BOB, location)).locationMessage).toMatchObject({
      degreesLatitude: 52.52,
      degreesLongitude: 13.405,
      name: 'Office',
      address: 'Main St 1',
    });
    const card = content(inboxEntry(BOB, one)).contactMessage!;
    expect(card.displayName).toBe('Ann; Support');
    expect(String(card.vcard)).toContain('FN:Ann\\; Support');
    expect(String(card.vcard)).toContain('waid=15550001234:+15550001234');
    const cards = content(inboxEntry(BOB, two)).contactsArrayMessage!;
    expect((cards.contacts as { displayName: string }[]).map((c) => c.displayName)).toEqual(['Ann', 'Ben']);
    expect(inboxEntry(BOB, reaction)?.type).toBe('reaction');
    expect(content(inboxEntry(BOB, reaction)).reactionMessage).toMatchObject({
      text: '👍',
      key: { id: location.waMessageId, fromMe: true, remoteJid: '15554440003@s.whatsapp.net' },
    });
  });

  it('fails with a reason: not on WhatsApp, metadata and private media URLs, too large, unknown upload', async () => {
    const cases: [Message, string, RegExp][] = [
      [
        await queueMessage(
          world.repos,
          me,
          '+15554449999',
          { type: 'text', text: { body: 'anyone?' } },
          {
            metadata: { k: 'v' },
          },
        ),
        'not_on_whatsapp',
        /\+15554449999 is not on WhatsApp/,
      ],
      [
        await queueMessage(world.repos, me, ALICE, {
          type: 'image',
          image: { url: 'http://169.254.169.254/latest/meta-data/' },
        }),
        'unsafe_url',
        /private, loopback, link-local or metadata address/,
      ],
      [
        await queueMessage(world.repos, me, ALICE, {
          type: 'document',
          document: { url: 'http://10.0.0.1/x.pdf', fileName: 'x.pdf' },
        }),
        'unsafe_url',
        /private, loopback, link-local or metadata address/,
      ],
      [
        await queueMessage(world.repos, me, ALICE, {
          type: 'document',
          document: { url: server.url('/huge.bin'), fileName: 'huge.bin' },
        }),
        'media_too_large',
        /larger than 65536 bytes/,
      ],
      [
        await queueMessage(world.repos, me, ALICE, {
          type: 'video',
          video: { url: server.url('/gone.mp4') },
        }),
        'media_unavailable',
        /media url answered 404/,
      ],
      [
        await queueMessage(world.repos, me, ALICE, { type: 'image', image: { mediaId: newId() } }),
        'media_not_found',
        /no uploaded media/,
      ],
      [
        await queueMessage(world.repos, me, ALICE, {
          type: 'reaction',
          reaction: { messageId: newId(), emoji: '🎉' },
        }),
        'reaction_target_not_found',
        /is not a message of this chat/,
      ],
    ];
    const inboxBefore = world.sim.inbox(ALICE).length;
    for (const [queued, code, reason] of cases) {
      const failed = await send(queued);
      expect(failed.status).toBe('failed');
      expect(failed.error?.code).toBe(code);
      expect(failed.error?.message).toMatch(reason);
    }
    expect(world.sim.inbox(ALICE)).toHaveLength(inboxBefore);
    const first = world.bus.ofType('message.status').find((e) => e.data.messageId === cases[0]![0].id);
    expect(first?.data).toMatchObject({
      status: 'failed',
      error: { code: 'not_on_whatsapp' },
      metadata: { k: 'v' },
    });
  });

  it('WhatsApp refusing the message (error ack) fails it with the code; nothing reaches the contact', async () => {
    world.sim.injectFault({ type: 'ack-error', code: 479, phone: ME });
    const queued = await queueMessage(world.repos, me, ALICE, { type: 'text', text: { body: 'bounced' } });
    const failed = await send(queued);
    expect(failed).toMatchObject({
      status: 'failed',
      error: { code: 'wa_rejected', message: 'WhatsApp refused the message (error 479)' },
    });
    expect(inboxEntry(ALICE, queued)).toBeUndefined();
  });
});
