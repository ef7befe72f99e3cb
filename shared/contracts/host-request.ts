/**
 * Host request/reply (docs/credentials-and-commands.md, "Host requests"): what the API asks a session's owner
 * host to do on WhatsApp and wait for, and the reply the host stores for it in the `hostReplies` table. The
 * request travels inside a `host.request` command (`host-command.ts`) with a fresh request id; the API polls the
 * reply by that id until its deadline. A reply nobody waits for any more (the API gave up) expires with its TTL.
 *
 * Each request kind has its own result schema, so the API parses exactly what it asked for.
 */
import * as z from 'zod';
import { LidSchema } from '../domain/contact-id.js';
import { GroupIdSchema } from '../domain/group.js';
import { PhoneSchema } from '../domain/phone.js';
import { GROUP_REQUEST_SCHEMAS, GROUP_RESULT_SCHEMAS } from './group-requests.js';

/** At most this many numbers per check (one usync query on WhatsApp's side). */
export const CONTACT_CHECK_MAX_PHONES = 50;

export const ContactsCheckRequestSchema = z.object({
  kind: z.literal('contacts.check'),
  phones: z.array(PhoneSchema).min(1).max(CONTACT_CHECK_MAX_PHONES),
});

/** A 1:1 chat on WhatsApp: a phone-number jid or a LID jid (no device, no group). */
export const UserJidSchema = z.string().regex(/^[1-9]\d{5,23}@(s\.whatsapp\.net|lid)$/, 'must be a user jid');

/** Sets the account online or offline (what its contacts see). */
export const PresenceSetRequestSchema = z.object({
  kind: z.literal('presence.set'),
  presence: z.enum(['available', 'unavailable']),
});

/** Shows the contact "typing..." (`composing`), "recording audio..." (`recording`), or stops it (`paused`). */
export const ChatTypingRequestSchema = z.object({
  kind: z.literal('chat.typing'),
  // A group too: its members see "<name> is typing...".
  jid: z.union([UserJidSchema, GroupIdSchema]),
  state: z.enum(['composing', 'recording', 'paused']),
});

/** Subscribes the account to a contact's presence (then `presence.updated` events). */
export const PresenceSubscribeRequestSchema = z.object({
  kind: z.literal('presence.subscribe'),
  jid: UserJidSchema,
});

/** A contact's profile picture, about text and business profile. */
export const ContactProfileRequestSchema = z.object({
  kind: z.literal('contacts.profile'),
  jid: UserJidSchema,
});

/** Blocks or unblocks a contact (WhatsApp then stops delivering its messages to the account). */
export const ContactBlockRequestSchema = z.object({
  kind: z.literal('contacts.block'),
  jid: UserJidSchema,
  action: z.enum(['block', 'unblock']),
});

/** The account's block list. */
export const BlocklistRequestSchema = z.object({ kind: z.literal('contacts.blocklist') });

/**
 * Changes a chat's state through WhatsApp's app state (one patch per field, in this order). `muteEndMs`: when the
 * mute ends, ms since the epoch, -1 for ever; null unmutes. `unread`: "Mark as unread" (true) or read (false).
 */
export const ChatModifyRequestSchema = z.object({
  kind: z.literal('chat.modify'),
  jid: UserJidSchema,
  archived: z.boolean().optional(),
  pinned: z.boolean().optional(),
  muteEndMs: z.number().int().min(-1).nullable().optional(),
  unread: z.boolean().optional(),
});

export const HostRequestSchema = z.discriminatedUnion('kind', [
  ContactsCheckRequestSchema,
  PresenceSetRequestSchema,
  ChatTypingRequestSchema,
  PresenceSubscribeRequestSchema,
  ContactProfileRequestSchema,
  ContactBlockRequestSchema,
  BlocklistRequestSchema,
  ...GROUP_REQUEST_SCHEMAS,
  ChatModifyRequestSchema,
]);
export type HostRequest = z.infer<typeof HostRequestSchema>;
export type HostRequestKind = HostRequest['kind'];
export type HostRequestOf<K extends HostRequestKind> = Extract<HostRequest, { kind: K }>;

/** One number as WhatsApp answered it: on WhatsApp or not, its jid, and its LID when WhatsApp disclosed it. */
export const ContactCheckResultSchema = z.object({
  phone: PhoneSchema,
  exists: z.boolean(),
  jid: z.string().max(128).optional(),
  lid: LidSchema.optional(),
});
export type ContactCheckResult = z.infer<typeof ContactCheckResultSchema>;

export const BusinessProfileSchema = z.object({
  description: z.string().max(1024).optional(),
  category: z.string().max(256).optional(),
  email: z.string().max(256).optional(),
  website: z.string().max(512).optional(),
  address: z.string().max(512).optional(),
});

export const ContactProfileResultSchema = z.object({
  /** WhatsApp's URL of the full-size picture (it expires after a while); absent without one or when hidden. */
  pictureUrl: z.string().max(2048).optional(),
  /** The about text; absent when unset or hidden. */
  about: z.string().max(1024).optional(),
  /** Present for a business account. */
  business: BusinessProfileSchema.optional(),
});

/** A blocked contact by what WhatsApp and the session know of it (today's server lists LIDs). */
export const BlockedContactSchema = z
  .object({ phone: PhoneSchema.optional(), lid: LidSchema.optional() })
  .refine((c) => c.phone !== undefined || c.lid !== undefined, 'must name a phone or a lid');

/** Done on the socket: WhatsApp does not acknowledge presence and chat states, so there is nothing more to say. */
const SentSchema = z.object({ sent: z.literal(true) });

/** What the host answers per kind. */
export const HOST_RESULT_SCHEMAS = {
  'contacts.check': z.object({ results: z.array(ContactCheckResultSchema).max(CONTACT_CHECK_MAX_PHONES) }),
  'presence.set': SentSchema,
  'chat.typing': SentSchema,
  'presence.subscribe': SentSchema,
  'contacts.profile': ContactProfileResultSchema,
  'contacts.block': SentSchema,
  'contacts.blocklist': z.object({ items: z.array(BlockedContactSchema).max(10_000) }),
  ...GROUP_RESULT_SCHEMAS,
  'chat.modify': SentSchema,
} as const satisfies Record<HostRequestKind, z.ZodType>;
export type HostResultOf<K extends HostRequestKind> = z.infer<(typeof HOST_RESULT_SCHEMAS)[K]>;

/**
 * Why a host could not answer: the session is not connected on it (not running there, or its socket is down),
 * or WhatsApp refused or failed the request.
 */
export const HostReplyErrorCodeSchema = z.enum(['session-not-connected', 'whatsapp-error']);
export type HostReplyErrorCode = z.infer<typeof HostReplyErrorCodeSchema>;

export const HostReplySchema = z.discriminatedUnion('ok', [
  /** `result` is checked against the kind's schema by the waiting API, which knows what it asked. */
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({
    ok: z.literal(false),
    error: z.object({
      code: HostReplyErrorCodeSchema,
      message: z.string().max(500),
      /** WhatsApp's own error code (the IQ's `<error code>`: 404 no such group, 403 not an admin, ...). */
      waCode: z.number().int().optional(),
    }),
  }),
]);
export type HostReply = z.infer<typeof HostReplySchema>;
