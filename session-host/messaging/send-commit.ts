/**
 * Step 5 of a send (send.ts): once WhatsApp has the message, the key state it was encrypted with, its
 * `sending -> sent` move and its `message.status` event become durable together, in ONE fenced
 * `TransactWriteItems` (issue #14): the session's credential changes, the move (`advanceStatusPart`) and the event's
 * outbox item (`TransactionPart.with`). A host killed right after the transaction leaves the event stored for the
 * session's next owner (`EventOutbox.resume`); before, the event was written after the move and a kill between
 * the two left a `sent` message with no event anywhere (found by the chaos test).
 */
import type { DomainEvent } from '../../shared/domain/events.js';
import type { Message } from '../../shared/domain/message.js';
import type { AdvanceStatusOptions, AdvanceStatusPart } from '../../shared/ports/message-repository.js';
import type { KeptSent } from '../compat/retry-receipts.js';
import { isTransactionalOutbox } from '../events/event-outbox.js';
import { statusEvent } from './message-status.js';
import type { SendContext } from './send.js';

type CommitContext = Pick<SendContext, 'deps' | 'session' | 'isDetached'>;

export interface SentCommit {
  /** This send moved the message to `sent` (false: a receipt had moved it on already). */
  readonly changed: boolean;
  readonly message: Message;
  /** The `message.status` the transaction stored in the outbox: hand it over with `publishStoredStatus`. */
  readonly storedEvent?: DomainEvent;
  /** The move that went in carried the sent proto (`KeptSent`): no write of its own is needed. */
  readonly protoStored?: boolean;
}

/** Errors after which this host may never write the session's credentials again: the lease is gone. */
const FENCED = new Set(['CredentialsFencedError', 'CredentialsFrozenError']);
const COMMIT_RETRY_MS = { first: 200, max: 5_000 };

/**
 * The commit, tried again while the session stays attached here: WhatsApp has the message, so only the durable
 * record is missing. A throttled or failed transaction (DynamoDB 5xx, an outage) would otherwise leave the message
 * `sending` until the session's next attach, which may never come while the host keeps it (found by the chaos
 * test). A refused fence (the lease is gone) or a detach stops it: the next owner resends under the same WhatsApp
 * id, which the contact's phone drops as a repeat. Every try writes the same move and the same event (one id), so
 * a try that went in but whose answer was lost is recognised, and its event published once.
 *
 * `undefined`: the session has no transactional commit (flow tests with in-memory auth); its keys were flushed
 * and the caller moves the message on its own.
 */
export async function commitUntilDurable(
  ctx: CommitContext,
  message: Message,
  options: { at: string; waMessageId: string },
  kept?: Pick<KeptSent, 'proto' | 'at'>,
): Promise<SentCommit | undefined | 'stopped'> {
  const { deps, session } = ctx;
  const move = kept ? { ...options, sentProto: { proto: kept.proto, at: kept.at } } : options;
  const prepared = session.commitWithCredentials ? prepare(ctx, message, move) : undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      if (!prepared) {
        await session.flushCredentials();
        return undefined;
      }
      return await commitSent(ctx, message, options, prepared);
    } catch (error) {
      const fenced = error instanceof Error && FENCED.has(error.name);
      const fields = {
        sessionId: session.sessionId,
        messageId: message.id,
        attempt,
        error: error instanceof Error ? error.message : String(error),
      };
      if (fenced || ctx.isDetached()) {
        deps.log.error('credentials not durable after a send; message left sending', fields);
        return 'stopped';
      }
      deps.log.warn('send not yet durable; trying again', fields);
      await sleep(Math.min(COMMIT_RETRY_MS.max, COMMIT_RETRY_MS.first * 2 ** attempt));
    }
  }
}

interface Prepared extends AdvanceStatusPart {
  readonly event?: DomainEvent;
  readonly carriesProto: boolean;
}

/** The move as a transaction part, with the event's outbox item riding on it when the host has an outbox. */
function prepare(ctx: CommitContext, message: Message, options: AdvanceStatusOptions): Prepared {
  const { messages, outbox } = ctx.deps;
  const { part, after } = messages.advanceStatusPart(message, 'sent', options);
  const carriesProto = options.sentProto !== undefined;
  if (!isTransactionalOutbox(outbox)) return { part, after, carriesProto };
  const event = statusEvent(after);
  return { part: { ...part, with: [outbox.entryOf(event)] }, after, event, carriesProto };
}

/**
 * One try. A move refused by its own condition (a receipt already moved the message on) still writes the keys,
 * without the move or its event, and reports `changed: false`.
 */
async function commitSent(
  ctx: CommitContext,
  message: Message,
  options: { at: string },
  prepared: Prepared,
): Promise<SentCommit> {
  const { messages } = ctx.deps;
  const { session } = ctx;
  const stored = (event: DomainEvent | undefined) => ({
    ...(event ? { storedEvent: event } : {}),
    protoStored: prepared.carriesProto,
  });
  if ((await session.commitWithCredentials!(prepared.part)).applied)
    return { changed: true, message: prepared.after, ...stored(prepared.event) };
  const current = (await messages.get(session.sessionId, message.id)) ?? message;
  // Refused by its own condition, yet our move is stored (this send's `sent` entry, at this send's time): an
  // earlier try went in and only its answer was lost (DynamoDB Local may not honour the SDK's idempotency token on
  // its retries). It is our move all the same, and the event that try stored must still be handed over.
  const ours = current.statusHistory.some((h) => h.status === 'sent' && h.at === options.at);
  return { changed: ours, message: current, ...(ours ? stored(prepared.event) : {}) };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
