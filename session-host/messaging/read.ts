/**
 * Outbound read receipts (docs/messaging.md, "Read receipts"): `POST /v1/sessions/{id}/chats/{chatId}/read`
 * marks inbound messages `read` with a pending-receipt marker and rings the owner host (`chat.read`). Here the
 * host tells WhatsApp with Baileys' `readMessages` and drops the markers. The marker is the truth: a doorbell
 * that finds the session not attached is dropped, and `drain()` on attach sends whatever is still marked.
 *
 * Keys are the message as it was received: the chat jid for a group (with the author as `participant`), the
 * sender's jid as it addressed us for a one-to-one chat (a migrated contact's `<lid>@lid`, even when the chat is
 * kept under the phone number). A resent receipt (a duplicate doorbell) is harmless: WhatsApp and phones ignore it.
 */
import type { WAMessageKey } from '@whiskeysockets/baileys';
import { isId } from '../../shared/domain/ids.js';
import type { Message } from '../../shared/domain/message.js';
import type { AttachedSession, MessagingDeps } from './deps.js';

/** Pending receipts read from the index per round of a drain. */
const DRAIN_BATCH = 100;
/** A drain stops after this many rounds; the index lags a little, so a round may list what was just cleared. */
const MAX_DRAIN_ROUNDS = 50;

/** Baileys key of inbound message `m` as WhatsApp addressed it; null when it cannot be acknowledged. */
export function readReceiptKey(m: Message): WAMessageKey | null {
  if (m.direction !== 'inbound' || m.waMessageId === undefined) return null;
  if (m.chatJid.endsWith('@g.us')) {
    if (m.senderJid === undefined) return null;
    return { remoteJid: m.chatJid, id: m.waMessageId, participant: m.senderJid, fromMe: false };
  }
  return { remoteJid: m.senderJid ?? m.chatJid, id: m.waMessageId, fromMe: false };
}

export class ReadReceiptSender {
  #chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: Pick<MessagingDeps, 'messages' | 'log'>,
    private readonly session: AttachedSession,
    private readonly isDetached: () => boolean,
  ) {}

  /**
   * A `chat.read` doorbell: the messages it names, read back by key (the index may not show them yet), then any
   * other receipt still pending for the session (a batch beyond the doorbell's, one a failed send left).
   */
  ring(messageIds: readonly string[]): Promise<void> {
    const ids = messageIds.filter(isId);
    return this.#enqueue(async () => {
      const { messages } = this.deps;
      const loaded = await Promise.all(ids.map((id) => messages.get(this.session.sessionId, id)));
      await this.#send(loaded.filter((m): m is Message => m !== null && m.status === 'read'));
      await this.#drainPending(new Set(ids));
    });
  }

  /** On attach: every receipt still marked pending for the session, oldest first. */
  drain(): Promise<void> {
    return this.#enqueue(() => this.#drainPending(new Set()));
  }

  /** `seen`: sent already in this round (the index lags a little, so it may still list them). */
  async #drainPending(seen: Set<string>): Promise<void> {
    for (let round = 0; round < MAX_DRAIN_ROUNDS && !this.isDetached(); round++) {
      const pending = await this.deps.messages.listReadReceiptsPending(this.session.sessionId, DRAIN_BATCH);
      const fresh = pending.filter((m) => !seen.has(m.id));
      if (fresh.length === 0) return;
      for (const m of fresh) seen.add(m.id);
      await this.#send(fresh);
      if (pending.length < DRAIN_BATCH) return;
    }
  }

  /** Resolves when every doorbell and drain handed over so far is done. */
  idle(): Promise<void> {
    return this.#chain;
  }

  /** One after the other: a drain and a doorbell never send the same receipts side by side. */
  #enqueue(work: () => Promise<void>): Promise<void> {
    this.#chain = this.#chain.then(work).catch((error: unknown) => {
      // The markers stay: the next attachment of the session sends them.
      this.deps.log.warn('read receipts not sent', {
        tenantId: this.session.tenantId,
        sessionId: this.session.sessionId,
        error: error instanceof Error ? error.message : String(error),
      });
    });
    return this.#chain;
  }

  async #send(batch: readonly Message[]): Promise<void> {
    if (batch.length === 0 || this.isDetached()) return;
    const keyed = batch.flatMap((m) => {
      const key = readReceiptKey(m);
      return key ? [{ m, key }] : [];
    });
    if (keyed.length > 0) await this.session.socket.readMessages(keyed.map((k) => k.key));
    // Cleared after the receipts left; one that cannot be acknowledged (no WhatsApp id) is cleared as well.
    const { messages } = this.deps;
    await Promise.all(batch.map((m) => messages.clearReadReceiptPending(this.session.sessionId, m.id)));
    this.deps.log.info('read receipts sent', {
      tenantId: this.session.tenantId,
      sessionId: this.session.sessionId,
      count: keyed.length,
    });
  }
}
