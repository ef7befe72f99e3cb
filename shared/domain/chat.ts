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
});
export type Chat = z.infer<typeof ChatSchema>;
