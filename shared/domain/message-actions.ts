/**
 * Message actions and polls (issue #15): an edit or a revoke of an earlier message, and a poll with its live
 * tallies. Kept apart from message.ts (which composes them into the content union) so each stays readable.
 *
 * Decisions (docs/messaging.md, "Edits, revokes and polls"):
 * - An edit or a revoke we send is a message record of its own (`type: "edit"` / `"revoke"`), so it rides the
 *   durable send path (queued backlog, doorbell, exactly-once under one WhatsApp id, rate limit, idempotency).
 *   Once WhatsApp accepted it, the host applies it to the target message.
 * - A revoked message keeps its id, record and place in the chat; its content becomes `{ type: "revoked" }`
 *   (what was said is gone, like on the phone) and `revoked: true` is set.
 * - Poll voters are named like chats: `+<E.164>` when the number is known, else `lid:<digits>`.
 */
import * as z from 'zod';
import { IdSchema, TimestampSchema } from './ids.js';

/** WhatsApp lets a sender edit a message for 15 minutes after sending it. */
export const EDIT_WINDOW_MS = 15 * 60 * 1000;
export const MAX_EDIT_TEXT_LENGTH = 4096;
export const MIN_POLL_OPTIONS = 2;
export const MAX_POLL_OPTIONS = 12;
export const MAX_POLL_NAME_LENGTH = 255;
export const MAX_POLL_OPTION_LENGTH = 100;

const EditBodySchema = z
  .string()
  .max(MAX_EDIT_TEXT_LENGTH)
  .refine((s) => s.trim().length > 0, 'must not be empty');

/** `POST /v1/sessions/{id}/messages/{messageId}/edit`. */
export const EditMessageRequestSchema = z.strictObject({ text: EditBodySchema });
export type EditMessageRequest = z.infer<typeof EditMessageRequestSchema>;

/** Stored on our outbound edit record: which message and its new text. */
export const EditContentSchema = z.strictObject({ messageId: IdSchema, body: EditBodySchema });
/** Stored on our outbound revoke record: which message. */
export const RevokeContentSchema = z.strictObject({ messageId: IdSchema });
/** What is left of a revoked message: the type it had. */
export const RevokedContentSchema = z.object({ previousType: z.string().min(1) });

/** One earlier version of an edited message, oldest first. */
export const EditHistoryEntrySchema = z.object({
  body: z.string(),
  /** When this version was replaced. */
  replacedAt: TimestampSchema,
});
export type EditHistoryEntry = z.infer<typeof EditHistoryEntrySchema>;

/** A voter as chats are named: `+<E.164>` or `lid:<digits>`. */
export const VoterSchema = z.string().regex(/^(\+[1-9]\d{5,14}|lid:\d{1,40})$/);

const PollNameSchema = z
  .string()
  .max(MAX_POLL_NAME_LENGTH)
  .refine((s) => s.trim().length > 0, 'must not be empty');

/** The poll of a send request: option names, distinct, 2-12; `selectableCount` 1..options (default 1). */
export const SendPollSchema = z
  .strictObject({
    name: PollNameSchema,
    options: z
      .array(
        z
          .string()
          .max(MAX_POLL_OPTION_LENGTH)
          .refine((s) => s.trim().length > 0, 'must not be empty'),
      )
      .min(MIN_POLL_OPTIONS)
      .max(MAX_POLL_OPTIONS),
    selectableCount: z.number().int().min(1).max(MAX_POLL_OPTIONS).default(1),
  })
  .superRefine((poll, ctx) => {
    const seen = new Set<string>();
    poll.options.forEach((option, i) => {
      // WhatsApp identifies an option by the SHA-256 of its name: two equal names could not be told apart.
      if (seen.has(option))
        ctx.addIssue({ code: 'custom', path: ['options', i], message: 'options must be distinct' });
      seen.add(option);
    });
    if (poll.selectableCount > poll.options.length)
      ctx.addIssue({
        code: 'custom',
        path: ['selectableCount'],
        message: 'must not exceed the number of options',
      });
  });
export type SendPoll = z.infer<typeof SendPollSchema>;

export const PollOptionTallySchema = z.object({
  name: z.string(),
  count: z.number().int().nonnegative(),
  voters: z.array(VoterSchema),
});
export type PollOptionTally = z.infer<typeof PollOptionTallySchema>;

/** A stored poll: its options with live tallies (each voter's latest vote counts). */
export const PollContentSchema = z.object({
  name: z.string(),
  options: z.array(PollOptionTallySchema).min(1).max(MAX_POLL_OPTIONS),
  /** How many options one voter may choose (WhatsApp's 0 = any number is stored as the option count). */
  selectableCount: z.number().int().min(1).max(MAX_POLL_OPTIONS),
});
export type PollContent = z.infer<typeof PollContentSchema>;

/** A fresh poll with no votes. */
export function pollOfRequest(poll: SendPoll): PollContent {
  return {
    name: poll.name,
    options: poll.options.map((name) => ({ name, count: 0, voters: [] })),
    selectableCount: poll.selectableCount,
  };
}

/** The poll after `voter` chose `selected` (option names; an empty list withdraws the vote). */
export function withVote(poll: PollContent, voter: string, selected: readonly string[]): PollContent {
  const chosen = new Set(selected);
  return {
    ...poll,
    options: poll.options.map((option) => {
      const voters = option.voters.filter((v) => v !== voter);
      if (chosen.has(option.name)) voters.push(voter);
      return { name: option.name, count: voters.length, voters };
    }),
  };
}

/** Whether our message sent at `sentAt` may still be edited at `now` (ms). */
export function withinEditWindow(sentAt: string, now: number): boolean {
  return now - Date.parse(sentAt) <= EDIT_WINDOW_MS;
}
