/**
 * Applies an edit, a revoke or a poll vote to a stored message and publishes what changed
 * (`message.edited`, `message.revoked`, `poll.vote`; docs/messaging.md, "Edits, revokes and polls"). Used for
 * our own actions once WhatsApp accepted them (send.ts) and for the contact's as they arrive
 * (inbound-actions.ts). Each change is a read-modify-write guarded by `updatedAt`, retried on a lost race, and
 * idempotent: a redelivered edit (same text), revoke (already revoked) or vote (same choice) writes nothing.
 * Events go through the host's durable event outbox when it has one.
 */
import type { ContactId } from '../../shared/domain/contact-id.js';
import { makeEvent, type DomainEvent } from '../../shared/domain/events.js';
import { nowIso } from '../../shared/domain/ids.js';
import { withVote } from '../../shared/domain/message-actions.js';
import type { Message } from '../../shared/domain/message.js';
import type { MessagingDeps } from './deps.js';

const MAX_ATTEMPTS = 4;

type Deps = Pick<MessagingDeps, 'messages' | 'events' | 'outbox' | 'log'>;

/** What a change does to the message as read; null when there is nothing to do (already applied, wrong kind). */
type Change = (current: Message, at: string) => Message | null;

export class MessageUpdates {
  constructor(private readonly deps: Deps) {}

  /** New text for a text message (its earlier text goes into `editHistory`). */
  async edit(
    target: Message,
    body: string,
    options: { at?: string; eventId?: string; from?: ContactId } = {},
  ): Promise<Message | null> {
    const updated = await this.#update(target, options.at, (current, at) => {
      if (current.revoked || current.content.type !== 'text') return null;
      const previous = current.content.text.body;
      if (previous === body) return null;
      return {
        ...current,
        content: { type: 'text', text: { body } },
        edited: true,
        editHistory: [...(current.editHistory ?? []), { body: previous, replacedAt: at }],
        updatedAt: at,
      };
    });
    if (updated?.content.type === 'text')
      this.#publish(
        makeEvent('message.edited', {
          ...(options.eventId !== undefined ? { id: options.eventId } : {}),
          tenantId: updated.tenantId,
          sessionId: updated.sessionId,
          data: {
            ...refOf(updated),
            text: updated.content.text.body,
            editHistory: updated.editHistory ?? [],
            editedAt: updated.updatedAt,
            ...(options.from !== undefined ? { from: options.from } : {}),
          },
        }),
      );
    return updated;
  }

  /** Deleted for everyone: the content is cleared, the record kept. */
  async revoke(
    target: Message,
    options: { at?: string; eventId?: string; from?: ContactId } = {},
  ): Promise<Message | null> {
    const updated = await this.#update(target, options.at, (current, at) => {
      if (current.revoked) return null;
      // Nothing of what it said stays: no text, no earlier versions.
      const { editHistory: _history, edited: _edited, ...rest } = current;
      return {
        ...rest,
        type: 'revoked',
        content: { type: 'revoked', revoked: { previousType: current.type } },
        revoked: true,
        revokedAt: at,
        updatedAt: at,
      };
    });
    if (updated)
      this.#publish(
        makeEvent('message.revoked', {
          ...(options.eventId !== undefined ? { id: options.eventId } : {}),
          tenantId: updated.tenantId,
          sessionId: updated.sessionId,
          data: {
            ...refOf(updated),
            revokedAt: updated.revokedAt ?? updated.updatedAt,
            ...(options.from !== undefined ? { from: options.from } : {}),
          },
        }),
      );
    return updated;
  }

  /** `voter` chose `selected` (option names) on poll `target`; their earlier choice is replaced. */
  async vote(target: Message, voter: string, selected: readonly string[]): Promise<Message | null> {
    const updated = await this.#update(target, undefined, (current, at) => {
      if (current.content.type !== 'poll') return null;
      const poll = withVote(current.content.poll, voter, selected);
      if (JSON.stringify(poll) === JSON.stringify(current.content.poll)) return null;
      return { ...current, content: { type: 'poll', poll }, updatedAt: at };
    });
    if (updated?.content.type === 'poll')
      this.#publish(
        makeEvent('poll.vote', {
          tenantId: updated.tenantId,
          sessionId: updated.sessionId,
          data: {
            ...refOf(updated),
            voter,
            selectedOptions: [...selected],
            poll: updated.content.poll,
            votedAt: updated.updatedAt,
          },
        }),
      );
    return updated;
  }

  async #update(target: Message, at: string | undefined, change: Change): Promise<Message | null> {
    let current: Message | null = target;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS && current; attempt += 1) {
      // updatedAt is the write guard: a change stamped in the same millisecond as the last one would not move it.
      const stamp = laterThan(current.updatedAt, at ?? nowIso());
      const next = change(current, stamp);
      if (!next) return null;
      if (await this.deps.messages.replaceContent(next, current.updatedAt)) return next;
      current = await this.deps.messages.get(target.sessionId, target.id);
    }
    if (current)
      this.deps.log.warn('message update lost its races; given up', {
        sessionId: target.sessionId,
        messageId: target.id,
      });
    return null;
  }

  #publish(event: DomainEvent): void {
    const failed = (error: unknown): void =>
      this.deps.log.error(`${event.type} not published`, {
        sessionId: event.sessionId,
        error: error instanceof Error ? error.message : String(error),
      });
    try {
      (this.deps.outbox ?? this.deps.events).publish([event]).catch(failed);
    } catch (error) {
      failed(error);
    }
  }
}

function refOf(message: Message) {
  return {
    messageId: message.id,
    ...(message.waMessageId !== undefined ? { waMessageId: message.waMessageId } : {}),
    chatJid: message.chatJid,
    direction: message.direction,
  };
}

function laterThan(previous: string, candidate: string): string {
  if (candidate > previous) return candidate;
  return new Date(Date.parse(previous) + 1).toISOString();
}
