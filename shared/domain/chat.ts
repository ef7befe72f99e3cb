import * as z from 'zod';
import { LidSchema } from './contact-id.js';
import { IdSchema, TimestampSchema } from './ids.js';
import { DirectionSchema, MessageTypeSchema } from './message.js';
import { PhoneSchema } from './phone.js';

export const ChatLastMessageSchema = z.object({
  id: IdSchema,
  type: MessageTypeSchema,
  /** From `messagePreview`: short, never a media URL. */
  preview: z.string(),
  at: TimestampSchema,
  direction: DirectionSchema,
});
export type ChatLastMessage = z.infer<typeof ChatLastMessageSchema>;

/** One conversation of a session, keyed by (sessionId, chatJid). */
export const ChatSchema = z.object({
  // Carried so a read can check tenancy without loading the session first.
  tenantId: IdSchema,
  sessionId: IdSchema,
  chatJid: z.string().min(3),
  /** Absent for groups and LID-only contacts. */
  phone: PhoneSchema.optional(),
  /** The contact's LID (digits of `<lid>@lid`) when known; a LID-only contact's chat is `<lid>@lid`. */
  lid: LidSchema.optional(),
  name: z.string().optional(),
  lastMessage: ChatLastMessageSchema,
  unreadCount: z.number().int().nonnegative(),
  // The chat's state in WhatsApp's app state (archive, pin, mute, mark unread), as set through the API or on the
  // account's phone; absent until first set (then false).
  archived: z.boolean().optional(),
  pinned: z.boolean().optional(),
  muted: z.boolean().optional(),
  /** When a mute ends; absent while not muted or muted for ever. */
  mutedUntil: TimestampSchema.optional(),
  /** Marked unread (WhatsApp's "Mark as unread"), apart from `unreadCount`. */
  unread: z.boolean().optional(),
});
export type Chat = z.infer<typeof ChatSchema>;

/**
 * A chat as the API and `chat.updated` show it: no tenant, and the app-state flags always present (false until
 * set), so a client need not know they can be absent.
 */
export const ChatViewSchema = ChatSchema.omit({ tenantId: true }).extend({
  archived: z.boolean(),
  pinned: z.boolean(),
  muted: z.boolean().describe('Muted; `mutedUntil` says until when (absent: for ever)'),
  unread: z.boolean().describe('Marked unread ("Mark as unread" on WhatsApp), apart from `unreadCount`'),
});

/** A change of a chat's app-state flags; `mutedUntil: null` drops the end time (not muted, or muted for ever). */
export interface ChatStateChange {
  readonly archived?: boolean;
  readonly pinned?: boolean;
  readonly muted?: boolean;
  readonly mutedUntil?: string | null;
  readonly unread?: boolean;
}
