/**
 * What the API shows of stored records: the owning tenant is implied by the key, and storage internals stay
 * private. The schemas double as the OpenAPI response schemas.
 */
import * as z from 'zod';
import { ApiKeySchema, type ApiKey } from '../domain/api-key.js';
import { ChatViewSchema, type Chat } from '../domain/chat.js';
import { MessageSchema, type Message } from '../domain/message.js';
import type { Page } from '../ports/pagination.js';

const { tenantId: _apiKeyTenant, ...apiKeyShape } = ApiKeySchema.shape;
export const ApiKeyViewSchema = z.object(apiKeyShape);
export type ApiKeyView = z.infer<typeof ApiKeyViewSchema>;

/** The once-shown creation answer: the view plus the key itself. */
export const CreatedApiKeySchema = ApiKeyViewSchema.extend({
  key: z.string().describe('The API key. Shown once; store it now, it cannot be read again.'),
});
export type CreatedApiKey = z.infer<typeof CreatedApiKeySchema>;

// MessageSchema carries a refinement, so `.omit` is not available: rebuild the object from its shape.
const { tenantId: _messageTenant, ...messageShape } = MessageSchema.shape;
export const MessageViewSchema = z.object(messageShape);
export type MessageView = z.infer<typeof MessageViewSchema>;

export { ChatViewSchema };
export type ChatView = z.infer<typeof ChatViewSchema>;

export function toApiKeyView(key: ApiKey): ApiKeyView {
  const { tenantId: _t, ...view } = key;
  return view;
}

export function toMessageView(message: Message): MessageView {
  const { tenantId: _t, ...view } = message;
  return view;
}

export function toChatView(chat: Chat): ChatView {
  const { tenantId: _t, ...view } = chat;
  return {
    ...view,
    archived: chat.archived ?? false,
    pinned: chat.pinned ?? false,
    muted: chat.muted ?? false,
    unread: chat.unread ?? false,
  };
}

/** `{ items, cursor? }`: pass `cursor` back as `?cursor=` for the next page; absent on the last page. */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), cursor: z.string().optional() });
}

export function mapPage<T, U>(page: Page<T>, map: (item: T) => U): Page<U> {
  const items = page.items.map(map);
  return page.cursor === undefined ? { items } : { items, cursor: page.cursor };
}

/** `GET /v1/sessions/{id}/qr`: the string to encode in the QR, which rotation it is, and when it expires. */
export const QrViewSchema = z.object({
  qr: z.string().describe('Encode this string as a QR code (or ask for ?format=png)'),
  refresh: z.number().int().positive().describe('1 for the first QR of a link attempt, then 2, 3...'),
  expiresAt: z.iso.datetime(),
});
export type QrView = z.infer<typeof QrViewSchema>;

/** `POST /v1/sessions/{id}/pairing-code`: the code to type on the phone (Linked devices > Link with phone number). */
export const PairingCodeViewSchema = z.object({
  code: z.string(),
  phone: z.string(),
  expiresAt: z.iso.datetime(),
});
export type PairingCodeView = z.infer<typeof PairingCodeViewSchema>;
