/** Names for the API's shapes the screens pass around, all taken from the generated `schema.d.ts`. */
import type { paths } from './schema';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
type Ok<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  responses: infer R;
}
  ? R extends { 200: infer A }
    ? Json<A>
    : R extends { 201: infer A }
      ? Json<A>
      : never
  : never;
type Body<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  requestBody?: { content: { 'application/json': infer B } };
}
  ? B
  : never;

export type Tenant = Ok<'/v1/tenant', 'get'>;
export type Session = Ok<'/v1/sessions', 'get'>['items'][number];
export type Chat = Ok<'/v1/sessions/{sessionId}/chats', 'get'>['items'][number];
export type Message = Ok<'/v1/sessions/{sessionId}/messages', 'get'>['items'][number];
export type MessageStatus = Message['status'];
export type SendMessageBody = Body<'/v1/sessions/{sessionId}/messages', 'post'>;
export type Pool = Ok<'/v1/pools', 'get'>['items'][number];
export type Webhook = Ok<'/v1/webhooks', 'get'>['items'][number];
export type CreateWebhookBody = Body<'/v1/webhooks', 'post'>;
export type Delivery = Ok<'/v1/webhooks/{webhookId}/deliveries', 'get'>['items'][number];
export type ApiKey = Ok<'/v1/api-keys', 'get'>['items'][number];
export type CreateApiKeyBody = Body<'/v1/api-keys', 'post'>;
export type EventType = NonNullable<CreateWebhookBody['events']>[number];
