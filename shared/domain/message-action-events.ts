/**
 * `data` of the events about message actions and polls (issue #15; docs/events-and-webhooks.md). Composed into
 * the catalog by events.ts.
 */
import * as z from 'zod';
import { ContactIdSchema } from './contact-id.js';
import { IdSchema, TimestampSchema } from './ids.js';
import { EditHistoryEntrySchema, PollContentSchema, VoterSchema } from './message-actions.js';

const DirectionSchema = z.enum(['inbound', 'outbound']);

/** Which message, as `message.received` / `message.status` name it. */
const MessageRefShape = {
  messageId: IdSchema,
  waMessageId: z.string().min(1).optional(),
  chatJid: z.string().min(3),
  /** `outbound`: our message (edited or revoked through the API); `inbound`: the contact's. */
  direction: DirectionSchema,
};

/** A text message was edited: its new text and the versions before it. */
export const MessageEditedEventDataSchema = z.object({
  ...MessageRefShape,
  text: z.string(),
  editHistory: z.array(EditHistoryEntrySchema),
  editedAt: TimestampSchema,
  /** Inbound: the contact who edited it. */
  from: ContactIdSchema.optional(),
});
export type MessageEditedEventData = z.infer<typeof MessageEditedEventDataSchema>;

/** A message was deleted for everyone: its content is gone from the history. */
export const MessageRevokedEventDataSchema = z.object({
  ...MessageRefShape,
  revokedAt: TimestampSchema,
  from: ContactIdSchema.optional(),
});
export type MessageRevokedEventData = z.infer<typeof MessageRevokedEventDataSchema>;

/** Someone voted on one of our polls (or changed their vote; an empty `selectedOptions` withdraws it). */
export const PollVoteEventDataSchema = z.object({
  ...MessageRefShape,
  voter: VoterSchema,
  selectedOptions: z.array(z.string()),
  /** The poll with its tallies after this vote. */
  poll: PollContentSchema,
  votedAt: TimestampSchema,
});
export type PollVoteEventData = z.infer<typeof PollVoteEventDataSchema>;
