import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../../../../shared/domain/message.js';
import { mediaObjectKey } from '../../../../session-host/messaging/index.js';
import { nextSimEvent } from '../../../simulator/helpers.js';
import {
  startMessagingWorld,
  TEST_MESSAGING_CONFIG,
  until,
  type LinkedAccount,
  type MessagingWorld,
} from './support.js';

const ME = '15554470001';
const FRANK = '+15554470002';
const REUPLOAD_TIMEOUT_MS = 1_500;

describe('expired incoming media: the host asks the phone to re-upload it (compat/media-retry.ts on real Baileys)', () => {
  let world: MessagingWorld;
  let me: LinkedAccount;

  const stored = (waMessageId: string): Promise<Message> =>
    until(
      async () => (await world.repos.messages.findByWaMessageId(me.sessionId, waMessageId)) ?? undefined,
      `message ${waMessageId} stored`,
    );
  /** A photo whose first download the CDN answers with 410, as it does for a file weeks old. */
  const expiredPhoto = async (bytes: Buffer) => {
    world.sim.injectFault({ type: 'media-error', status: 410 });
    return world.sim.contactSendMedia(FRANK, ME, { kind: 'image', bytes, mimetype: 'image/jpeg' });
  };

  beforeAll(async () => {
    world = await startMessagingWorld({
      ...TEST_MESSAGING_CONFIG,
      mediaReuploadTimeoutMs: REUPLOAD_TIMEOUT_MS,
    });
    world.sim.addContact(FRANK, 'Frank');
    me = await world.link(ME);
  }, 60_000);

  afterAll(async () => {
    await world?.stop();
  });

  it('the phone re-uploads: the file is downloaded from its new address and stored; the message has its mediaId', async () => {
    const bytes = randomBytes(6_000);
    const asked = nextSimEvent<[{ messageId: string; reply: string }]>(world.sim.events, 'media-retry');
    const sent = await expiredPhoto(bytes);
    expect((await asked)[0]).toMatchObject({ messageId: sent.id, reply: 'reupload' });
    const m = await stored(sent.id);
    const mediaId = m.content.type === 'image' ? m.content.image.mediaId : undefined;
    expect(mediaId).toEqual(expect.any(String));
    const object = await world.media.get(mediaObjectKey(me.tenantId, mediaId!));
    expect(object?.bytes.equals(bytes)).toBe(true);
    expect(world.metrics.get('MediaReuploadRequests')).toBe(1);
    expect(world.sim.listFaults()).toEqual([]); // the 410 was used by the first download
  });

  it('an offline phone never answers: media_expired once the bounded wait is over, the message stored all the same', async () => {
    world.sim.setMediaRetryReply(ME, { reply: 'none' });
    try {
      const started = Date.now();
      const sent = await expiredPhoto(randomBytes(1_000));
      const m = await stored(sent.id);
      expect(m.content).toEqual({
        type: 'image',
        image: { mimeType: 'image/jpeg', mediaError: 'media_expired' },
      });
      expect(Date.now() - started).toBeGreaterThanOrEqual(REUPLOAD_TIMEOUT_MS);
      expect(world.warnings).toContainEqual({
        message: 'incoming media not stored; the message is stored without it',
        fields: expect.objectContaining({ waMessageId: sent.id, reason: 'media_expired' }),
      });
    } finally {
      world.sim.setMediaRetryReply(ME, { reply: 'reupload' });
    }
  });

  it('an error reply maps to the failure it names: code 3 (decryption error, 412) is media_unavailable', async () => {
    world.sim.setMediaRetryReply(ME, { reply: 'error', code: 3 });
    try {
      const sent = await expiredPhoto(randomBytes(1_000));
      const m = await stored(sent.id);
      expect(m.content).toEqual({
        type: 'image',
        image: { mimeType: 'image/jpeg', mediaError: 'media_unavailable' },
      });
      await me.session.idle();
      const published = world.bus.ofType('message.received').find((e) => e.data.message.id === m.id);
      expect(published?.data.message.content).toEqual(m.content);
    } finally {
      world.sim.setMediaRetryReply(ME, { reply: 'reupload' });
    }
  });
});
