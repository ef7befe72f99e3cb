import * as z from 'zod';
import { ContactIdSchema } from './contact-id.js';
import { GROUP_ID_PATTERN } from './group.js';
import { describeJsonBounds, jsonBoundsCheck, jsonByteLength, type JsonBounds } from './bounded-json.js';
import { IdSchema, TimestampSchema } from './ids.js';
import { E164_PATTERN, PhoneSchema } from './phone.js';
import {
  EditContentSchema,
  EditHistoryEntrySchema,
  PollContentSchema,
  RevokeContentSchema,
  RevokedContentSchema,
  SendPollSchema,
  pollOfRequest,
} from './message-actions.js';

export const MAX_TEXT_LENGTH = 4096;
export const MAX_CAPTION_LENGTH = 1024;
export const MAX_METADATA_BYTES = 2048;
export const MAX_URL_LENGTH = 2048;

/**
 * Every type a message record can have; `unsupported` is inbound only (calls, ... not modelled yet). `edit` and
 * `revoke` are our own action records (message-actions.ts); `revoked` is what a revoked message becomes.
 */
export const MessageTypeSchema = z.enum([
  'text',
  'image',
  'video',
  'audio',
  'document',
  'sticker',
  'location',
  'contacts',
  'reaction',
  'unsupported',
  'poll',
  'edit',
  'revoke',
  'revoked',
]);
export type MessageType = z.infer<typeof MessageTypeSchema>;

export const SendMessageTypeSchema = MessageTypeSchema.exclude(['unsupported', 'edit', 'revoke', 'revoked']);
export type SendMessageType = z.infer<typeof SendMessageTypeSchema>;

export const DirectionSchema = z.enum(['inbound', 'outbound']);
export type Direction = z.infer<typeof DirectionSchema>;

/**
 * http(s) only: `file:`, `data:` and friends would make the host read from places it must not. Whether the
 * host name resolves to a private address is checked where the fetch happens, not here.
 */
export const MediaUrlSchema = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .max(MAX_URL_LENGTH)
  // As for webhook URLs: credentials in a URL end up in logs and caches; a media URL must be fetchable as is.
  .refine((raw) => {
    const url = URL.parse(raw);
    return url === null || (url.username === '' && url.password === '');
  }, 'must not contain credentials (user:password@)');

/** Free-form JSON the tenant attaches to a send; echoed in every event about that message. */
export const MetadataSchema = z
  .record(z.string(), z.json())
  .refine((m) => jsonByteLength(m) <= MAX_METADATA_BYTES, {
    message: `must be at most ${MAX_METADATA_BYTES} bytes as JSON`,
  });
export type Metadata = z.infer<typeof MetadataSchema>;

/** What a send may attach: deep or key-heavy JSON would reach DynamoDB (32 levels at most) and every event. */
export const METADATA_BOUNDS: JsonBounds = { maxDepth: 8, maxKeys: 64, maxBytes: MAX_METADATA_BYTES };

/** `metadata` of a send request: the stored shape within `METADATA_BOUNDS` (a 400 names the bound passed). */
export const SendMetadataSchema = z
  .record(z.string(), z.json())
  .superRefine(jsonBoundsCheck(METADATA_BOUNDS))
  .meta({
    description: `Free-form JSON echoed in every event about the message: ${describeJsonBounds(METADATA_BOUNDS)}`,
    maxProperties: METADATA_BOUNDS.maxKeys,
  });

const CaptionSchema = z.string().max(MAX_CAPTION_LENGTH);
const MimeTypeSchema = z.string().regex(/^[\w.+-]+\/[\w.+-]+$/, 'must be a MIME type like image/jpeg');

/** Members mentioned in a group text (`@name` on their phones), by E.164 number. */
export const MAX_MENTIONS = 1024;

export const TextContentSchema = z.strictObject({
  body: z
    .string()
    .max(MAX_TEXT_LENGTH)
    .refine((s) => s.trim().length > 0, 'must not be empty'),
  mentions: z
    .array(PhoneSchema)
    .max(MAX_MENTIONS)
    .optional()
    .describe('Group members the text mentions, by E.164 number (write them as @<digits> in the body)'),
});

/**
 * Who a message goes to: a contact's E.164 number, or a group the account is in by its id (`<digits>@g.us`).
 */
export const RecipientSchema = z
  .string()
  .refine(
    (s) => E164_PATTERN.test(s) || GROUP_ID_PATTERN.test(s),
    'must be an E.164 phone number (+15551234567) or a group id (120363012345678901@g.us)',
  );

type SourceRule = 'exactlyOne' | 'atMostOne';

/**
 * Why a received file has no `mediaId`: `media_expired` (gone from WhatsApp's servers and the phone could not
 * send it again), `media_unavailable` (the re-upload failed otherwise). Set by the platform, never by a send.
 */
export const MediaErrorSchema = z.enum(['media_expired', 'media_unavailable']);
export type MediaError = z.infer<typeof MediaErrorSchema>;

/**
 * A media payload names its source by an uploaded `mediaId` or a `url`. A send must give exactly one; a
 * stored inbound message may have neither yet (media not downloaded), hence the two rules.
 */
function media<S extends z.ZodRawShape>(rule: SourceRule, extra: S) {
  return z
    .strictObject({
      mediaId: IdSchema.optional(),
      url: MediaUrlSchema.optional(),
      mimeType: MimeTypeSchema.optional(),
      mediaError: MediaErrorSchema.optional(),
      ...extra,
    })
    .superRefine((m, ctx) => {
      // The generic spread hides the known keys from the checker; they are there by construction.
      const { mediaId, url, mediaError } = m as { mediaId?: string; url?: string; mediaError?: string };
      if (mediaError !== undefined && rule === 'exactlyOne')
        ctx.addIssue({
          code: 'custom',
          path: ['mediaError'],
          message: 'set by the platform on received media',
        });
      const given = (mediaId === undefined ? 0 : 1) + (url === undefined ? 0 : 1);
      if (given > 1)
        ctx.addIssue({ code: 'custom', path: ['url'], message: 'give either mediaId or url, not both' });
      if (given === 0 && rule === 'exactlyOne')
        ctx.addIssue({ code: 'custom', path: ['mediaId'], message: 'give either mediaId or url' });
    });
}

export const LocationContentSchema = z.strictObject({
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  name: z.string().max(256).optional(),
  address: z.string().max(512).optional(),
});

export const ContactCardSchema = z.strictObject({
  name: z.strictObject({ formattedName: z.string().trim().min(1, 'must not be empty').max(256) }),
  phones: z
    .array(z.strictObject({ phone: PhoneSchema }))
    .min(1)
    .max(10),
});
export type ContactCard = z.infer<typeof ContactCardSchema>;

const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** WhatsApp reactions are one emoji (one grapheme, which may be a ZWJ sequence or a flag); `''` removes it. */
export const ReactionEmojiSchema = z
  .string()
  .max(32)
  .refine(
    (s) =>
      s === '' ||
      ([...segmenter.segment(s)].length === 1 && /\p{Extended_Pictographic}|\p{Regional_Indicator}/u.test(s)),
    'must be a single emoji, or "" to remove the reaction',
  );

export const ReactionContentSchema = z.strictObject({ messageId: IdSchema, emoji: ReactionEmojiSchema });

function contentShapes(rule: SourceRule) {
  return {
    text: { type: z.literal('text'), text: TextContentSchema },
    image: { type: z.literal('image'), image: media(rule, { caption: CaptionSchema.optional() }) },
    video: {
      type: z.literal('video'),
      video: media(rule, { caption: CaptionSchema.optional(), gifPlayback: z.boolean().optional() }),
    },
    // ptt: play as a voice note (waveform, push-to-talk) instead of an audio file.
    audio: { type: z.literal('audio'), audio: media(rule, { ptt: z.boolean().default(false) }) },
    document: {
      type: z.literal('document'),
      document: media(rule, {
        fileName: z.string().trim().min(1, 'must not be empty').max(255),
        caption: CaptionSchema.optional(),
      }),
    },
    sticker: { type: z.literal('sticker'), sticker: media(rule, {}) },
    location: { type: z.literal('location'), location: LocationContentSchema },
    contacts: { type: z.literal('contacts'), contacts: z.array(ContactCardSchema).min(1).max(20) },
    reaction: { type: z.literal('reaction'), reaction: ReactionContentSchema },
  };
}

/** Stored-only kinds: a poll with tallies, our edit and revoke records, what a revoked message becomes. */
const storedOnly = {
  poll: { type: z.literal('poll'), poll: PollContentSchema },
  edit: { type: z.literal('edit'), edit: EditContentSchema },
  revoke: { type: z.literal('revoke'), revoke: RevokeContentSchema },
  revoked: { type: z.literal('revoked'), revoked: RevokedContentSchema },
};

const send = contentShapes('exactlyOne');
const stored = contentShapes('atMostOne');

const sendCommon = {
  to: RecipientSchema,
  /** Our id of the message being quoted. */
  replyTo: IdSchema.optional(),
  metadata: SendMetadataSchema.optional(),
};

/** `POST /v1/sessions/{id}/messages`: one Cloud-API-like shape per type, unknown fields refused. */
export const SendMessageRequestSchema = z.discriminatedUnion('type', [
  z.strictObject({ ...sendCommon, ...send.text }),
  z.strictObject({ ...sendCommon, ...send.image }),
  z.strictObject({ ...sendCommon, ...send.video }),
  z.strictObject({ ...sendCommon, ...send.audio }),
  z.strictObject({ ...sendCommon, ...send.document }),
  z.strictObject({ ...sendCommon, ...send.sticker }),
  z.strictObject({ ...sendCommon, ...send.location }),
  z.strictObject({ ...sendCommon, ...send.contacts }),
  z.strictObject({ ...sendCommon, ...send.reaction }),
  z.strictObject({ ...sendCommon, type: z.literal('poll'), poll: SendPollSchema }),
]);
export type SendMessageRequest = z.infer<typeof SendMessageRequestSchema>;

export const SendMessageResponseSchema = z.object({ id: IdSchema, status: z.literal('queued') });
export type SendMessageResponse = z.infer<typeof SendMessageResponseSchema>;

/** A stored message's payload: `{ type, <type>: {...} }`, the send request without addressing fields. */
export const MessageContentSchema = z.discriminatedUnion('type', [
  z.object(stored.text),
  z.object(stored.image),
  z.object(stored.video),
  z.object(stored.audio),
  z.object(stored.document),
  z.object(stored.sticker),
  z.object(stored.location),
  z.object(stored.contacts),
  z.object(stored.reaction),
  z.object(storedOnly.poll),
  z.object(storedOnly.edit),
  z.object(storedOnly.revoke),
  z.object(storedOnly.revoked),
  z.object({
    type: z.literal('unsupported'),
    unsupported: z.object({ waType: z.string() }),
  }),
]);
export type MessageContent = z.infer<typeof MessageContentSchema>;

/** The content part of a send request, as stored on the outbound message record. */
export function contentOfRequest(req: SendMessageRequest): MessageContent {
  const { to: _to, replyTo: _replyTo, metadata: _metadata, ...content } = req;
  if (content.type === 'poll') return { type: 'poll', poll: pollOfRequest(content.poll) };
  return content;
}

/** The message types that carry a file. */
export const MEDIA_MESSAGE_TYPES = ['image', 'video', 'audio', 'document', 'sticker'] as const;

/** Where a media send takes its file from, and the JSON pointer of its media object (`/image`), for a 400. */
export function mediaSourceOf(
  req: SendMessageRequest,
): { readonly mediaId?: string; readonly url?: string; readonly pointer: string } | undefined {
  for (const type of MEDIA_MESSAGE_TYPES) {
    if (req.type !== type) continue;
    const media = (req as Record<string, unknown>)[type] as { mediaId?: string; url?: string } | undefined;
    if (!media) return undefined;
    return {
      ...(media.mediaId === undefined ? {} : { mediaId: media.mediaId }),
      ...(media.url === undefined ? {} : { url: media.url }),
      pointer: `/${type}`,
    };
  }
  return undefined;
}

export const MessageStatusSchema = z.enum(['queued', 'sending', 'sent', 'delivered', 'read', 'failed']);
export type MessageStatus = z.infer<typeof MessageStatusSchema>;

const STATUS_RANK: Record<Exclude<MessageStatus, 'failed'>, number> = {
  queued: 0,
  sending: 1,
  sent: 2,
  delivered: 3,
  read: 4,
};

/**
 * Forward only, and skipping is allowed: receipts arrive out of order (a `read` before its `delivered`), and a
 * replayed update must be refused rather than move a status back. `failed` only before WhatsApp accepted the
 * message; after `sent` a failure is no longer ours to report. Nothing leaves `failed`.
 */
export function canAdvance(from: MessageStatus, to: MessageStatus): boolean {
  if (from === 'failed') return false;
  if (to === 'failed') return from === 'queued' || from === 'sending';
  return STATUS_RANK[to] > STATUS_RANK[from];
}

export const StatusChangeSchema = z.object({ status: MessageStatusSchema, at: TimestampSchema });
export type StatusChange = z.infer<typeof StatusChangeSchema>;

export const MessageErrorSchema = z.object({ code: z.string().min(1), message: z.string() });
export type MessageError = z.infer<typeof MessageErrorSchema>;

export const MessageSchema = z
  .object({
    id: IdSchema,
    tenantId: IdSchema,
    sessionId: IdSchema,
    direction: DirectionSchema,
    /** Normalised chat jid (no device part); a group jid for group messages. */
    chatJid: z.string().min(3),
    /**
     * Outbound: the E.164 number the tenant sent to (the host may have addressed the contact's LID), or the
     * group id.
     */
    to: RecipientSchema.optional(),
    /**
     * Inbound: who wrote it, by phone number and/or LID, whichever WhatsApp revealed (a LID-only contact hides
     * its number). Absent only for a sender that is neither (a newsletter, say).
     */
    from: ContactIdSchema.optional(),
    /** Inbound only: who wrote it (the participant in a group). */
    senderJid: z.string().optional(),
    /** Inbound group messages: the member who wrote it (the same as `from`; `chatJid` is the group). */
    participant: ContactIdSchema.optional(),
    pushName: z.string().optional(),
    type: MessageTypeSchema,
    content: MessageContentSchema,
    status: MessageStatusSchema,
    statusHistory: z.array(StatusChangeSchema).min(1),
    waMessageId: z.string().min(1).optional(),
    replyTo: IdSchema.optional(),
    metadata: MetadataSchema.optional(),
    /** Sent through a number pool, or received from a contact assigned to this session in one (docs/pools.md). */
    poolId: IdSchema.optional(),
    error: MessageErrorSchema.optional(),
    /** A pool message its dead member never sent, moved to another member as this message (docs/pools.md). */
    reroutedTo: z.object({ sessionId: IdSchema, messageId: IdSchema }).optional(),
    /** The text was edited (by us or the contact); `editHistory` holds the earlier versions, oldest first. */
    edited: z.boolean().optional(),
    editHistory: z.array(EditHistoryEntrySchema).optional(),
    /** Deleted for everyone: the content is gone (`type: "revoked"`), the record stays. */
    revoked: z.boolean().optional(),
    revokedAt: TimestampSchema.optional(),
    createdAt: TimestampSchema,
    updatedAt: TimestampSchema,
  })
  .refine((m) => m.type === m.content.type, {
    path: ['content', 'type'],
    message: 'must equal the message type',
  });
export type Message = z.infer<typeof MessageSchema>;

/** What `message.received` carries: enough to answer without a read-back. */
export const InboundMessageSummarySchema = z.object({
  id: IdSchema,
  waMessageId: z.string().min(1),
  chatJid: z.string().min(3),
  from: ContactIdSchema.optional(),
  senderJid: z.string().optional(),
  /** A group message: the group's id (`chatJid`) and the member who wrote it. */
  groupId: z.string().max(128).optional(),
  participant: ContactIdSchema.optional(),
  pushName: z.string().optional(),
  type: MessageTypeSchema,
  content: MessageContentSchema,
  replyTo: IdSchema.optional(),
  /** The contact is assigned to this session in this number pool (docs/pools.md, "Replies"). */
  poolId: IdSchema.optional(),
  createdAt: TimestampSchema,
});
export type InboundMessageSummary = z.infer<typeof InboundMessageSummarySchema>;

const PREVIEW_LENGTH = 100;

/** Short text for chat lists; never the media URL (it may carry a signed token). */
export function messagePreview(content: MessageContent): string {
  const clip = (s: string) => (s.length > PREVIEW_LENGTH ? s.slice(0, PREVIEW_LENGTH - 1) + '…' : s);
  switch (content.type) {
    case 'text':
      return clip(content.text.body);
    case 'image':
      return clip(content.image.caption ?? '[image]');
    case 'video':
      return clip(content.video.caption ?? '[video]');
    case 'audio':
      return content.audio.ptt ? '[voice note]' : '[audio]';
    case 'document':
      return clip(content.document.caption ?? content.document.fileName);
    case 'sticker':
      return '[sticker]';
    case 'location':
      return clip(content.location.name ?? '[location]');
    case 'contacts':
      return clip(content.contacts.map((c) => c.name.formattedName).join(', '));
    case 'reaction':
      return content.reaction.emoji;
    case 'unsupported':
      return `[${content.unsupported.waType}]`;
    case 'poll':
      return clip(content.poll.name);
    case 'edit':
      return clip(content.edit.body);
    case 'revoke':
    case 'revoked':
      return 'This message was deleted';
  }
}
