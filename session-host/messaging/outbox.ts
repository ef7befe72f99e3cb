/**
 * The `message.received` outbox (docs/messaging.md, "Receiving"): a received message is written with a
 * pending-event marker (`create(..., { eventPending: true })`), its event is published, and the marker is cleared
 * once the bus says the event is on EventBridge. A host that dies in between leaves the marker; the host that
 * attaches the session next republishes what is still marked (`republishPending`), oldest first.
 *
 * The event's id is the message's id and its `createdAt` the receive time, so a republished event is the same
 * event: the webhook fan-out (delivery id = event id) and subscribers dedupe it by `id`. Delivery stays at least
 * once: a host that published but died before clearing the marker publishes it again on the next attach.
 */
import { makeEvent, type DomainEventOf } from '../../shared/domain/events.js';
import type { Message } from '../../shared/domain/message.js';
import { isGroupJid } from '../../shared/domain/phone.js';
import type { MessagingDeps } from './deps.js';

/** Pending messages read and published per round of `republishPending`. */
export const REPUBLISH_BATCH = 100;

/** The event of a received message, the same every time it is built from the same stored message. */
export function messageReceivedEvent(message: Message): DomainEventOf<'message.received'> {
  return makeEvent('message.received', {
    id: message.id,
    // When the host stored it (the first history entry never changes), not when this copy is built.
    createdAt: message.statusHistory[0]?.at ?? message.createdAt,
    tenantId: message.tenantId,
    sessionId: message.sessionId,
    data: {
      message: {
        id: message.id,
        waMessageId: message.waMessageId!,
        chatJid: message.chatJid,
        ...(message.from !== undefined ? { from: message.from } : {}),
        ...(message.senderJid !== undefined ? { senderJid: message.senderJid } : {}),
        ...(isGroupJid(message.chatJid) ? { groupId: message.chatJid } : {}),
        ...(message.participant !== undefined ? { participant: message.participant } : {}),
        ...(message.pushName !== undefined ? { pushName: message.pushName } : {}),
        type: message.type,
        content: message.content,
        ...(message.replyTo !== undefined ? { replyTo: message.replyTo } : {}),
        ...(message.poolId !== undefined ? { poolId: message.poolId } : {}),
        createdAt: message.createdAt,
      },
    },
  });
}

/** One per `HostMessaging`: knows which events this process is publishing right now. */
export class ReceivedOutbox {
  /** Message ids whose event this process is publishing now: a republish round leaves them alone. */
  readonly #inFlight = new Set<string>();

  constructor(
    private readonly deps: Pick<MessagingDeps, 'messages' | 'events' | 'log'>,
    /** A marker was left behind by a failed publish or clear: the session's events need another round. */
    private readonly onFailed: (sessionId: string) => void = () => undefined,
  ) {}

  /**
   * Publishes the message's event, then clears its marker. Resolves when both are done or have failed; never
   * rejects (failures are logged and reported to `onFailed`; the marker left behind is republished later).
   */
  async publish(message: Message): Promise<void> {
    if (this.#inFlight.has(message.id)) return;
    this.#inFlight.add(message.id);
    const fields = { sessionId: message.sessionId, messageId: message.id };
    try {
      try {
        await this.deps.events.publish([messageReceivedEvent(message)]);
      } catch (error) {
        this.deps.log.error('message.received not published', { ...fields, error: errorText(error) });
        this.onFailed(message.sessionId);
        return;
      }
      try {
        await this.deps.messages.clearPendingEvent(message.sessionId, message.id);
      } catch (error) {
        this.deps.log.warn('message.received published, outbox marker not cleared', {
          ...fields,
          error: errorText(error),
        });
        this.onFailed(message.sessionId);
      }
    } finally {
      this.#inFlight.delete(message.id);
    }
  }

  /**
   * Publishes the session's still-marked messages again, oldest first, `batch` per round (each round is
   * published and cleared before the next is read), until none is left or `stop()` says so. Returns how many
   * were republished. Throws only when the listing fails.
   */
  async republishPending(
    sessionId: string,
    stop: () => boolean,
    batch: number = REPUBLISH_BATCH,
  ): Promise<number> {
    let afterId: string | undefined;
    let count = 0;
    while (!stop()) {
      const page = await this.deps.messages.listPendingEvents(sessionId, {
        limit: batch,
        ...(afterId !== undefined ? { afterId } : {}),
      });
      const due = page.filter(
        (m) => !this.#inFlight.has(m.id) && m.direction === 'inbound' && m.waMessageId !== undefined,
      );
      // Handed to the bus in this order (it keeps it), then awaited together: one or a few PutEvents.
      await Promise.all(due.map((m) => this.publish(m)));
      count += due.length;
      if (page.length < batch) break;
      afterId = page[page.length - 1]!.id;
    }
    return count;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
