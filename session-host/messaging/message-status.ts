/**
 * `message.status` events: what the event says of a message, and its publishing through the host's event outbox
 * (kept and republished until the bus takes it). A send's `sent` is stored in the send's own transaction
 * (send-commit.ts) and only handed over here (`publishStoredStatus`); every other move publishes here.
 */
import { makeEvent, type DomainEvent } from '../../shared/domain/events.js';
import type { Message } from '../../shared/domain/message.js';
import { isTransactionalOutbox } from '../events/event-outbox.js';
import type { MessagingDeps } from './deps.js';

/** The event for the message as stored now, with the send's metadata and pool. */
export function statusEvent(message: Message): DomainEvent {
  return makeEvent('message.status', {
    tenantId: message.tenantId,
    sessionId: message.sessionId,
    data: {
      messageId: message.id,
      ...(message.waMessageId !== undefined ? { waMessageId: message.waMessageId } : {}),
      status: message.status,
      ...(message.error !== undefined ? { error: message.error } : {}),
      ...(message.metadata !== undefined ? { metadata: message.metadata } : {}),
      ...(message.poolId !== undefined ? { poolId: message.poolId } : {}),
    },
  });
}

/**
 * Publishes the message's `message.status`. Not awaited: the host's bus batches for up to ~100 ms, and a send must
 * not hold its lane (and a concurrency slot) for that; the status is already stored, and a publishing failure is
 * logged. Never throws.
 */
export function publishStatus(deps: MessagingDeps, message: Message): void {
  try {
    // Through the event outbox (kept and republished until the bus takes it) when the host gives one.
    (deps.outbox ?? deps.events).publish([statusEvent(message)]).catch(notPublished(deps, message));
  } catch (error) {
    notPublished(deps, message)(error);
  }
}

/** Hands over a `message.status` the send's transaction stored in the outbox. Not awaited; never throws. */
export function publishStoredStatus(deps: MessagingDeps, message: Message, event: DomainEvent): void {
  if (!isTransactionalOutbox(deps.outbox)) return publishStatus(deps, message);
  deps.outbox.publishStored([event]).catch(notPublished(deps, message));
}

const notPublished =
  (deps: MessagingDeps, message: Message) =>
  (error: unknown): void =>
    deps.log.error('message.status not published', {
      sessionId: message.sessionId,
      messageId: message.id,
      error: error instanceof Error ? error.message : String(error),
    });
