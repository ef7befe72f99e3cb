/**
 * Our edit or revoke is a message record of its own, sent like any message; once WhatsApp accepted it (`sent`),
 * the target message is changed here (docs/messaging.md, "Edits, revokes and polls"). The action's own id is the
 * event's id, so a resend after a crash publishes the same event again (subscribers dedupe on `id`) and the
 * change itself is idempotent.
 */
import type { Message } from '../../shared/domain/message.js';
import type { MessagingDeps } from './deps.js';
import { MessageUpdates } from './message-updates.js';

/** True when `message` was an edit or a revoke (applied now); such records never move the chat list. */
export async function applyOwnAction(
  deps: MessagingDeps,
  message: Message,
  sentAt: string,
): Promise<boolean> {
  const content = message.content;
  if (content.type !== 'edit' && content.type !== 'revoke') return false;
  const targetId = content.type === 'edit' ? content.edit.messageId : content.revoke.messageId;
  try {
    const target = await deps.messages.get(message.sessionId, targetId);
    if (!target || target.tenantId !== message.tenantId) return true;
    const updates = new MessageUpdates(deps);
    const options = { at: sentAt, eventId: message.id };
    if (content.type === 'edit') await updates.edit(target, content.edit.body, options);
    else await updates.revoke(target, options);
  } catch (error) {
    // WhatsApp has the action: the contact sees it. Our copy of the target stays as it was; say so loudly.
    deps.log.error('sent action not applied to its message', {
      sessionId: message.sessionId,
      messageId: message.id,
      error: error instanceof Error ? error.message : String(error),
    });
  }
  return true;
}
