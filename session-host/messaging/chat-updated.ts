/**
 * `chat.updated` from the host: after a message it received or sent moved a chat (new preview, unread count), the
 * chat as `GET /v1/sessions/{id}/chats` lists it goes on the bus, so a console reorders its list without a read
 * (docs/events-and-webhooks.md). The API's queueing of a send also records the chat, but publishes nothing: a send
 * stays one round trip (no PutEvents on that path), and the host's event when it sends follows within moments.
 */
import type { Chat } from '../../shared/domain/chat.js';
import { makeEvent } from '../../shared/domain/events.js';
import { namedChat } from '../../shared/services/chat-names.js';
import { toChatView } from '../../shared/services/views.js';
import type { MessagingDeps } from './deps.js';

/**
 * Publishes on the host's batching bus, as `message.received` is, and not through the durable event outbox: each
 * `chat.updated` carries the whole chat and is superseded by the next one, the chat itself is stored (the chats
 * list is the record), so an event lost to an EventBridge outage leaves a console one preview behind until the
 * next change or its next list read; the outbox would cost a write and a delete per message for that. Not awaited
 * by the flows (the bus batches for up to ~100 ms); never throws: a failure is logged.
 */
export function publishChatUpdated(deps: Pick<MessagingDeps, 'events' | 'log' | 'groups'>, chat: Chat): void {
  const failed = (error: unknown): void =>
    deps.log.error('chat.updated not published', {
      sessionId: chat.sessionId,
      error: error instanceof Error ? error.message : String(error),
    });
  void namedChat(deps.groups, chat)
    .then((view) => {
      const event = makeEvent('chat.updated', {
        tenantId: chat.tenantId,
        sessionId: chat.sessionId,
        data: { chat: toChatView(view) },
      });
      return deps.events.publish([event]);
    })
    .catch(failed);
}
