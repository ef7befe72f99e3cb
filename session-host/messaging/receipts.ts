/**
 * Delivery and read receipts for what we sent (docs/messaging.md, "Receipts"). Baileys reports them as
 * `messages.update` (status DELIVERY_ACK / READ / PLAYED), folds them into an own `messages.upsert` still in
 * its event buffer, and as `message-receipt.update` per participant; all three are read. The WhatsApp id is
 * mapped back to our message (this process's recent sends first, then the `byWaId` index), the status moves
 * forward only (`advanceStatus`: late, repeated or backward receipts change nothing), and each change is
 * published as `message.status` with the send's metadata.
 *
 * A receipt for a message whose send is still finishing (ack, credentials flush) waits for it, so `delivered`
 * never lands before the send's own `sent` bookkeeping.
 */
import type { MessageUserReceiptUpdate, WAMessage, WAMessageUpdate } from '@whiskeysockets/baileys';
import { proto } from '@whiskeysockets/baileys';
import { nowIso } from '../../shared/domain/ids.js';
import { isGroupJid, normalizeJid } from '../../shared/domain/phone.js';
import type { MessageStatus } from '../../shared/domain/message.js';
import type { AttachedSession, MessagingDeps } from './deps.js';
import { publishStatus } from './message-status.js';

const Status = proto.WebMessageInfo.Status;

/** Baileys' numeric status -> ours. SERVER_ACK is not mapped: `sent` is the send pipeline's to write. */
export function statusOfReceipt(status: number | null | undefined): MessageStatus | 'error' | null {
  switch (status) {
    case Status.DELIVERY_ACK:
      return 'delivered';
    case Status.READ:
    case Status.PLAYED:
      return 'read';
    case Status.ERROR:
      return 'error';
    default:
      return null;
  }
}

interface ReceiptHooks {
  /** Our id for a WhatsApp id sent by this process recently. */
  recentMessageId(waMessageId: string): string | undefined;
  /** Resolves when this message's in-flight send (if any) has finished. */
  sendSettled(messageId: string): Promise<void>;
}

export class ReceiptTracker {
  #chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: MessagingDeps,
    private readonly session: AttachedSession,
    private readonly hooks: ReceiptHooks,
  ) {}

  onUpdate(updates: readonly WAMessageUpdate[]): Promise<void> {
    return this.#enqueue(
      updates
        .filter((u) => u.key.fromMe)
        .map((u) => ({
          waMessageId: u.key.id,
          status: statusOfReceipt(u.update.status),
          errorCode: u.update.messageStubParameters?.[0],
        })),
    );
  }

  /**
   * Own messages in an upsert carry the status Baileys folded into them, and a group message's members' receipts
   * that arrived while its upsert was still in Baileys' event buffer: those are folded into its `userReceipt`
   * and never emitted as `message-receipt.update`, so they are read here (without it a group message whose
   * members answered quickly never rolled up to delivered).
   */
  onUpsert(messages: readonly WAMessage[]): Promise<void> {
    const own = messages.filter((m) => m.key.fromMe);
    return this.#enqueue([
      ...own.map((m) => ({
        waMessageId: m.key.id,
        status: statusOfReceipt(m.status),
        errorCode: m.messageStubParameters?.[0],
      })),
      // Only for what this process sent lately (the buffered echo of a send); a history sync's old messages carry
      // receipts too, which would cost a lookup each for nothing new.
      ...own
        .filter((m) => m.key.id && this.hooks.recentMessageId(m.key.id) !== undefined)
        .flatMap((m) =>
          (m.userReceipt ?? []).map((receipt) => userReceiptItem(m.key.id, m.key.remoteJid, receipt)),
        ),
    ]);
  }

  onReceipt(receipts: readonly MessageUserReceiptUpdate[]): Promise<void> {
    return this.#enqueue(
      receipts.filter((r) => r.key.fromMe).map((r) => userReceiptItem(r.key.id, r.key.remoteJid, r.receipt)),
    );
  }

  idle(): Promise<void> {
    return this.#chain;
  }

  #enqueue(
    items: {
      waMessageId: string | null | undefined;
      status: MessageStatus | 'error' | null;
      errorCode?: string | null | undefined;
      group?: GroupReceipt;
    }[],
  ): Promise<void> {
    const wanted = items.filter((i) => i.waMessageId && i.status);
    if (wanted.length === 0) return this.#chain;
    this.#chain = this.#chain.then(async () => {
      for (const item of wanted) {
        try {
          await this.#apply(item.waMessageId!, item.status!, item.errorCode ?? undefined, item.group);
        } catch (error) {
          this.deps.log.error('receipt not applied', {
            sessionId: this.session.sessionId,
            waMessageId: item.waMessageId,
            error: error instanceof Error ? error.message : String(error),
          });
        }
      }
    });
    return this.#chain;
  }

  async #apply(
    waMessageId: string,
    status: MessageStatus | 'error',
    errorCode: string | undefined,
    group?: GroupReceipt,
  ): Promise<void> {
    const { messages } = this.deps;
    const { sessionId } = this.session;
    let messageId = this.hooks.recentMessageId(waMessageId);
    if (messageId === undefined) {
      const found = await messages.findByWaMessageId(sessionId, waMessageId);
      if (!found || found.direction !== 'outbound') return;
      messageId = found.id;
    }
    await this.hooks.sendSettled(messageId);
    if (group && status !== 'error') {
      const rolled = await this.#rollUp(messageId, group, status);
      if (rolled === null) return;
      status = rolled;
    }
    const moved =
      status === 'error'
        ? await messages.advanceStatus(sessionId, messageId, 'failed', {
            at: nowIso(),
            error: {
              code: 'wa_rejected',
              message: `WhatsApp refused the message (error ${errorCode ?? 'unknown'})`,
            },
          })
        : await messages.advanceStatus(sessionId, messageId, status, { at: nowIso() });
    if (moved.changed) publishStatus(this.deps, moved.message);
  }

  /**
   * One member's receipt of a group message, rolled up the way WhatsApp shows it: `delivered` once every other
   * member's phone has it, `read` once every other member has read it (null: not yet). A group that is not
   * stored (size unknown) falls back to the member's own receipt.
   */
  async #rollUp(
    messageId: string,
    group: GroupReceipt,
    status: MessageStatus,
  ): Promise<MessageStatus | null> {
    const { groupReceipts, groups } = this.deps;
    if (!groupReceipts || !groups) return status;
    const stored = await groups.get(this.session.sessionId, group.jid);
    if (!stored) return status;
    const kind = status === 'read' ? 'read' : 'delivered';
    const counts = await groupReceipts.record(this.session.sessionId, messageId, group.member, kind);
    return rolledUpStatus(counts, Math.max(1, stored.size - 1));
  }
}

/** One member's receipt of our message (a group's per-participant receipt, or a 1:1 user receipt). */
function userReceiptItem(
  waMessageId: string | null | undefined,
  remoteJid: string | null | undefined,
  receipt: proto.IUserReceipt,
): { waMessageId: string | null | undefined; status: MessageStatus | null; group?: GroupReceipt } {
  const status =
    receipt.readTimestamp || receipt.playedTimestamp ? 'read' : receipt.receiptTimestamp ? 'delivered' : null;
  return {
    waMessageId,
    status,
    ...(remoteJid && isGroupJid(remoteJid) && receipt.userJid
      ? { group: { jid: remoteJid, member: normalizeJid(receipt.userJid) } }
      : {}),
  };
}

interface GroupReceipt {
  readonly jid: string;
  /** The member whose device sent the receipt. */
  readonly member: string;
}

/** `read` when all `others` read it, `delivered` when all have it, else nothing to report yet. */
export function rolledUpStatus(
  counts: { readonly delivered: number; readonly read: number },
  others: number,
): MessageStatus | null {
  if (counts.read >= others) return 'read';
  if (counts.delivered >= others) return 'delivered';
  return null;
}
