/** Path and query schemas shared by the control plane's routes (also rendered into the OpenAPI document). */
import * as z from 'zod';
import { ChatKeySchema } from '../../shared/domain/contact-id.js';
import { GroupIdSchema } from '../../shared/domain/group.js';
import { IdSchema } from '../../shared/domain/ids.js';
import { PhoneSchema } from '../../shared/domain/phone.js';

export const SessionPathSchema = z.object({ sessionId: IdSchema });
export const MessagePathSchema = z.object({ sessionId: IdSchema, messageId: IdSchema });
export const ApiKeyPathSchema = z.object({ keyId: IdSchema });
export const MediaPathSchema = z.object({ mediaId: IdSchema });
export const ChatPathSchema = z.object({
  sessionId: IdSchema,
  chatId: ChatKeySchema.describe(
    "The chat: the contact's E.164 number, or lid:<digits> for a contact known only by LID (as ?chat= of the history)",
  ),
});

export const ContactPathSchema = z.object({
  sessionId: IdSchema,
  phone: PhoneSchema.describe("The contact's E.164 number (URL-encode the +: %2B15551234567)"),
});

export const GroupPathSchema = z.object({
  sessionId: IdSchema,
  groupId: GroupIdSchema.describe('The group: its WhatsApp id, `<digits>@g.us` (the `@` may be sent as %40)'),
});

export const PageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).optional().describe('Page size, 1-100 (default 50)'),
  cursor: z.string().min(1).max(2048).optional().describe('The `cursor` of the previous page'),
});

export const HistoryQuerySchema = PageQuerySchema.extend({
  chat: ChatKeySchema.optional().describe(
    "Only this chat's messages: the contact's E.164 number, or lid:<digits> for a contact known only by LID",
  ),
  order: z
    .enum(['newest', 'oldest'])
    .default('newest')
    .describe('Within a chat: newest first (default) or oldest first'),
});

export const QrQuerySchema = z.object({
  format: z.enum(['json', 'png']).default('json').describe('`png` answers with the QR as an image'),
});
