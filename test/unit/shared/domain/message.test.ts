import { describe, expect, it } from 'vitest';
import {
  MAX_CAPTION_LENGTH,
  MAX_TEXT_LENGTH,
  MessageSchema,
  MetadataSchema,
  SendMessageRequestSchema,
  canAdvance,
  contentOfRequest,
  messagePreview,
  newId,
  toJsonPointer,
  validationErrorFromZod,
  type MessageStatus,
} from '../../../../shared/domain/index.js';

const to = '+15551234567';
const mediaId = newId();

function pointers(input: unknown): string[] {
  const result = SendMessageRequestSchema.safeParse(input);
  if (result.success) return [];
  return validationErrorFromZod(result.error, 'body').errors.map((e) => e.pointer ?? '');
}

describe('SendMessageRequestSchema: valid sends of every type', () => {
  it.each([
    ['text', { to, type: 'text', text: { body: 'hi' } }],
    [
      'text with reply and metadata',
      { to, type: 'text', text: { body: 'hi' }, replyTo: newId(), metadata: { orderId: 7, tags: ['a'] } },
    ],
    ['image by url', { to, type: 'image', image: { url: 'https://cdn.example.com/a.jpg', caption: 'look' } }],
    ['image by media id', { to, type: 'image', image: { mediaId } }],
    ['image over plain http', { to, type: 'image', image: { url: 'http://cdn.example.com/a.jpg' } }],
    ['video', { to, type: 'video', video: { mediaId, caption: 'clip', gifPlayback: true } }],
    ['audio', { to, type: 'audio', audio: { url: 'https://x.example/a.ogg', mimeType: 'audio/ogg' } }],
    ['voice note', { to, type: 'audio', audio: { mediaId, ptt: true } }],
    [
      'document',
      { to, type: 'document', document: { mediaId, fileName: 'invoice.pdf', caption: 'your invoice' } },
    ],
    ['sticker', { to, type: 'sticker', sticker: { url: 'https://x.example/s.webp' } }],
    [
      'location',
      { to, type: 'location', location: { latitude: -33.86, longitude: 151.2, name: 'Opera House' } },
    ],
    [
      'contacts',
      {
        to,
        type: 'contacts',
        contacts: [{ name: { formattedName: 'Ann' }, phones: [{ phone: '+4915112345678' }] }],
      },
    ],
    ['reaction', { to, type: 'reaction', reaction: { messageId: newId(), emoji: '👍' } }],
    ['reaction removal', { to, type: 'reaction', reaction: { messageId: newId(), emoji: '' } }],
    ['reaction with a ZWJ sequence', { to, type: 'reaction', reaction: { messageId: newId(), emoji: '👨‍👩‍👧' } }],
  ])('accepts %s', (_label, input) => {
    const result = SendMessageRequestSchema.safeParse(input);
    expect(result.error?.issues).toBeUndefined();
    expect(result.data?.type).toBe(input.type);
  });

  it('takes a group id as `to` for every type, and mentions on text', () => {
    const group = '120363012345678901@g.us';
    expect(pointers({ to: group, type: 'image', image: { mediaId } })).toEqual([]);
    expect(
      pointers({ to: group, type: 'text', text: { body: 'hi @15551234567', mentions: ['+15551234567'] } }),
    ).toEqual([]);
    expect(
      pointers({
        to: '15551234567-1600000000@g.us',
        type: 'location',
        location: { latitude: 1, longitude: 2 },
      }),
    ).toEqual([]);
  });

  it('defaults ptt to false for plain audio', () => {
    const parsed = SendMessageRequestSchema.parse({ to, type: 'audio', audio: { mediaId } });
    expect(parsed.type === 'audio' && parsed.audio.ptt).toBe(false);
  });

  it('allows exactly 4096 text characters and 1024 caption characters', () => {
    expect(pointers({ to, type: 'text', text: { body: 'x'.repeat(MAX_TEXT_LENGTH) } })).toEqual([]);
    expect(
      pointers({ to, type: 'image', image: { mediaId, caption: 'x'.repeat(MAX_CAPTION_LENGTH) } }),
    ).toEqual([]);
  });
});

describe('SendMessageRequestSchema: refusals name the field', () => {
  it.each([
    ['missing to', { type: 'text', text: { body: 'hi' } }, '/to'],
    ['bad E.164', { to: '555-1234', type: 'text', text: { body: 'hi' } }, '/to'],
    ['a group id without digits', { to: 'friends@g.us', type: 'text', text: { body: 'hi' } }, '/to'],
    ['a user jid as to', { to: '15551234567@s.whatsapp.net', type: 'text', text: { body: 'hi' } }, '/to'],
    [
      'a mention that is not a number',
      { to: '120363012345678901@g.us', type: 'text', text: { body: 'hi @x', mentions: ['x'] } },
      '/text/mentions/0',
    ],
    ['unknown type', { to, type: 'call', call: {} }, '/type'],
    ['poll with one option', { to, type: 'poll', poll: { name: 'Q', options: ['a'] } }, '/poll/options'],
    [
      'poll with repeated options',
      { to, type: 'poll', poll: { name: 'Q', options: ['a', 'a'] } },
      '/poll/options/1',
    ],
    [
      'poll choosing more than it offers',
      { to, type: 'poll', poll: { name: 'Q', options: ['a', 'b'], selectableCount: 3 } },
      '/poll/selectableCount',
    ],
    [
      'poll with 13 options',
      { to, type: 'poll', poll: { name: 'Q', options: [...'abcdefghijklm'] } },
      '/poll/options',
    ],
    ['an edit through the send route', { to, type: 'edit', edit: { messageId: 'x', body: 'y' } }, '/type'],
    ['missing type', { to, text: { body: 'hi' } }, '/type'],
    ['text body of the wrong type', { to, type: 'text', text: { body: 5 } }, '/text/body'],
    ['empty text body', { to, type: 'text', text: { body: '  ' } }, '/text/body'],
    ['oversize text', { to, type: 'text', text: { body: 'x'.repeat(MAX_TEXT_LENGTH + 1) } }, '/text/body'],
    ['missing text object', { to, type: 'text' }, '/text'],
    [
      'oversize caption',
      { to, type: 'image', image: { mediaId, caption: 'x'.repeat(MAX_CAPTION_LENGTH + 1) } },
      '/image/caption',
    ],
    ['media without a source', { to, type: 'image', image: { caption: 'x' } }, '/image/mediaId'],
    [
      'media with two sources',
      { to, type: 'video', video: { mediaId, url: 'https://x.example/v.mp4' } },
      '/video/url',
    ],
    ['ftp url', { to, type: 'image', image: { url: 'ftp://x.example/a.jpg' } }, '/image/url'],
    [
      'javascript url',
      { to, type: 'document', document: { url: 'javascript:alert(1)', fileName: 'a' } },
      '/document/url',
    ],
    ['not a url', { to, type: 'sticker', sticker: { url: 'cdn/a.webp' } }, '/sticker/url'],
    ['media id not a ULID', { to, type: 'image', image: { mediaId: 'abc' } }, '/image/mediaId'],
    ['document without fileName', { to, type: 'document', document: { mediaId } }, '/document/fileName'],
    ['ptt not boolean', { to, type: 'audio', audio: { mediaId, ptt: 'yes' } }, '/audio/ptt'],
    [
      'latitude out of range',
      { to, type: 'location', location: { latitude: 91, longitude: 0 } },
      '/location/latitude',
    ],
    [
      'longitude as string',
      { to, type: 'location', location: { latitude: 0, longitude: '10' } },
      '/location/longitude',
    ],
    ['no contacts', { to, type: 'contacts', contacts: [] }, '/contacts'],
    [
      'contact without phones',
      { to, type: 'contacts', contacts: [{ name: { formattedName: 'A' }, phones: [] }] },
      '/contacts/0/phones',
    ],
    [
      'contact phone not E.164',
      { to, type: 'contacts', contacts: [{ name: { formattedName: 'A' }, phones: [{ phone: '0151' }] }] },
      '/contacts/0/phones/0/phone',
    ],
    [
      'reaction with text',
      { to, type: 'reaction', reaction: { messageId: newId(), emoji: 'ok' } },
      '/reaction/emoji',
    ],
    [
      'reaction with two emoji',
      { to, type: 'reaction', reaction: { messageId: newId(), emoji: '👍👍' } },
      '/reaction/emoji',
    ],
    [
      'reaction to a non-id',
      { to, type: 'reaction', reaction: { messageId: 'wamid.123', emoji: '👍' } },
      '/reaction/messageId',
    ],
    ['replyTo not an id', { to, type: 'text', text: { body: 'x' }, replyTo: 'abc' }, '/replyTo'],
    ['metadata as array', { to, type: 'text', text: { body: 'x' }, metadata: [1] }, '/metadata'],
    [
      'oversize metadata',
      { to, type: 'text', text: { body: 'x' }, metadata: { blob: 'x'.repeat(2100) } },
      '/metadata',
    ],
    ['caption outside the media object', { to, type: 'image', image: { mediaId }, caption: 'x' }, '/caption'],
    ['unknown field inside text', { to, type: 'text', text: { body: 'x', preview: true } }, '/text/preview'],
    ['payload of another type', { to, type: 'text', image: { mediaId } }, '/text'],
  ])('refuses %s', (_label, input, pointer) => {
    expect(pointers(input)).toContain(pointer);
  });

  it('counts metadata size in UTF-8 bytes, not characters', () => {
    // 700 three-byte characters: 700 chars, ~2.1 KB serialized.
    expect(pointers({ to, type: 'text', text: { body: 'x' }, metadata: { k: '€'.repeat(700) } })).toContain(
      '/metadata',
    );
    expect(pointers({ to, type: 'text', text: { body: 'x' }, metadata: { k: '€'.repeat(600) } })).toEqual([]);
  });

  it('refuses metadata JSON cannot hold, without throwing', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(MetadataSchema.safeParse({ n: 1n }).success).toBe(false);
    expect(MetadataSchema.safeParse(cyclic).success).toBe(false);
  });

  it('refuses a non-object body', () => {
    expect(SendMessageRequestSchema.safeParse('hi').success).toBe(false);
    expect(SendMessageRequestSchema.safeParse(null).success).toBe(false);
  });
});

describe('message status machine', () => {
  const order: MessageStatus[] = ['queued', 'sending', 'sent', 'delivered', 'read'];

  it('moves forward, including skips (a read receipt before delivered)', () => {
    for (let i = 0; i < order.length; i++) {
      for (let j = i + 1; j < order.length; j++) expect(canAdvance(order[i]!, order[j]!)).toBe(true);
    }
  });

  it('never moves back or stays (replays are refused)', () => {
    for (let i = 0; i < order.length; i++) {
      for (let j = 0; j <= i; j++) expect(canAdvance(order[i]!, order[j]!)).toBe(false);
    }
  });

  it('fails only from queued or sending, and nothing leaves failed', () => {
    expect(canAdvance('queued', 'failed')).toBe(true);
    expect(canAdvance('sending', 'failed')).toBe(true);
    expect(canAdvance('sent', 'failed')).toBe(false);
    expect(canAdvance('read', 'failed')).toBe(false);
    for (const to of [...order, 'failed'] as const) expect(canAdvance('failed', to)).toBe(false);
  });
});

describe('MessageSchema (record)', () => {
  const now = new Date().toISOString();
  const request = SendMessageRequestSchema.parse({
    to,
    type: 'text',
    text: { body: 'hi' },
    metadata: { a: 1 },
  });
  const record = {
    id: newId(),
    tenantId: newId(),
    sessionId: newId(),
    direction: 'outbound',
    chatJid: '15551234567@s.whatsapp.net',
    to,
    type: 'text',
    content: contentOfRequest(request),
    status: 'queued',
    statusHistory: [{ status: 'queued', at: now }],
    metadata: request.metadata,
    createdAt: now,
    updatedAt: now,
  };

  it('stores the request payload without addressing fields as content', () => {
    expect(contentOfRequest(request)).toEqual({ type: 'text', text: { body: 'hi' } });
    expect(MessageSchema.safeParse(record).success).toBe(true);
  });

  it('refuses a type that does not match the content', () => {
    const result = MessageSchema.safeParse({ ...record, type: 'image' });
    expect(result.error?.issues.map((i) => toJsonPointer(i.path))).toContain('/content/type');
  });

  it('refuses an empty status history, a bad direction, a missing tenant', () => {
    expect(MessageSchema.safeParse({ ...record, statusHistory: [] }).success).toBe(false);
    expect(MessageSchema.safeParse({ ...record, direction: 'sideways' }).success).toBe(false);
    const { tenantId: _tenantId, ...noTenant } = record;
    expect(MessageSchema.safeParse(noTenant).success).toBe(false);
  });

  it('lets a stored inbound media message lack a source (not downloaded yet) and keeps unsupported types', () => {
    const inbound = {
      ...record,
      direction: 'inbound',
      to: undefined,
      from: { phone: to },
      senderJid: '15551234567@s.whatsapp.net',
    };
    expect(
      MessageSchema.safeParse({ ...inbound, type: 'image', content: { type: 'image', image: {} } }).success,
    ).toBe(true);
    expect(
      MessageSchema.safeParse({
        ...inbound,
        type: 'unsupported',
        content: { type: 'unsupported', unsupported: { waType: 'pollCreationMessage' } },
      }).success,
    ).toBe(true);
  });
});

describe('messagePreview', () => {
  it('summarises each type without media URLs', () => {
    expect(messagePreview({ type: 'text', text: { body: 'hello' } })).toBe('hello');
    expect(messagePreview({ type: 'image', image: { url: 'https://x.example/secret-token' } })).toBe(
      '[image]',
    );
    expect(messagePreview({ type: 'audio', audio: { mediaId, ptt: true } })).toBe('[voice note]');
    expect(messagePreview({ type: 'document', document: { mediaId, fileName: 'a.pdf' } })).toBe('a.pdf');
    expect(messagePreview({ type: 'reaction', reaction: { messageId: mediaId, emoji: '❤️' } })).toBe('❤️');
    expect(messagePreview({ type: 'unsupported', unsupported: { waType: 'poll' } })).toBe('[poll]');
  });

  it('clips long text to 100 characters', () => {
    const preview = messagePreview({ type: 'text', text: { body: 'y'.repeat(500) } });
    expect(preview).toHaveLength(100);
    expect(preview.endsWith('…')).toBe(true);
  });
});
