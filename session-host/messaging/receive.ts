/**
 * Incoming messages (`messages.upsert` from other people), per session and in arrival order (docs/messaging.md,
 * "Receiving"):
 *
 * 1. skip our own messages (their statuses are receipts.ts's), status broadcasts, newsletters and protocol
 *    traffic; the contact's edits, revokes and poll votes change the stored target instead (inbound-actions.ts),
 *    and so do the edits and revokes of our messages made on the account's phone (they come as our own);
 * 2. dedupe: a WhatsApp id already stored for the session (`findByWaMessageId`), or being stored right now by
 *    this process, is not stored again (WhatsApp redelivers after reconnects);
 * 3. media: download the file into the media bucket (media-download.ts), so the message names its `mediaId`;
 *    a file too large or a failed download leaves the message without one (it is stored all the same). The
 *    download starts as soon as the batch arrives, in the host's download queue (a burst of photos downloads
 *    side by side), and the in-order chain waits for it when it reaches the message;
 * 4. store the message `delivered` (the phone acknowledged it), with `replyTo` = our id of the quoted message
 *    (a poll also keeps its `messageSecret`, for the votes on it);
 * 5. update the chat (last message, one more unread), once per message actually created, and publish
 *    `chat.updated` (chat-updated.ts);
 * 6. publish `message.received` through the outbox (outbox.ts): the message is written with a pending-event
 *    marker, which is cleared once the event is on the bus; a host that attaches the session later republishes
 *    what a crashed one left marked.
 */
import type { WAMessage } from '@whiskeysockets/baileys';
import { toNumber } from '@whiskeysockets/baileys';
import type PQueue from 'p-queue';
import { newId, nowIso } from '../../shared/domain/ids.js';
import type { Message, MessageContent } from '../../shared/domain/message.js';
import { messagePreview } from '../../shared/domain/message.js';
import { isBroadcastJid, jidToPhone } from '../../shared/domain/phone.js';
import type { SessionLidMap } from '../compat/lid-map.js';
import { inboundParties } from '../compat/lid-sender.js';
import type { AttachedSession, MessagingDeps } from './deps.js';
import { publishChatUpdated } from './chat-updated.js';
import { InboundActions, inboundActionOf } from './inbound-actions.js';
import { reactionTargetWaId, toInboundContent } from './inbound-content.js';
import { isInboundMedia, withInboundMedia } from './media-download.js';
import type { ReceivedOutbox } from './outbox.js';
import { MESSAGE_METRIC } from './metric-names.js';

export class MessageReceiver {
  /** WhatsApp ids being stored now: Baileys can emit one message twice before the index shows the first. */
  readonly #inProgress = new Set<string>();
  #chain: Promise<void> = Promise.resolve();
  /** The contact's edits, revokes and poll votes change stored messages (inbound-actions.ts). */
  #actions: InboundActions | undefined;

  constructor(
    private readonly deps: MessagingDeps,
    private readonly session: AttachedSession,
    private readonly outbox: ReceivedOutbox,
    /** Who a LID-addressed sender is, and what the stanza revealed (session-host/compat/lid-sender.ts). */
    private readonly lidMap: SessionLidMap,
    /** The host's media download queue (shared by its sessions, bounded by `mediaDownloadConcurrency`). */
    private readonly downloads?: PQueue,
  ) {}

  /** Queues a `messages.upsert` batch behind the previous ones (order per session is kept). */
  onUpsert(messages: readonly WAMessage[]): Promise<void> {
    const incoming = messages
      .filter((m) => (!m.key.fromMe || isOwnEditOrRevoke(m)) && isStorable(m))
      .map((m) => ({ m, media: this.#startDownload(m) }));
    if (incoming.length === 0) return this.#chain;
    this.#chain = this.#chain.then(async () => {
      for (const { m, media } of incoming) {
        try {
          await this.receive(m, media);
        } catch (error) {
          this.deps.log.error('incoming message not stored', {
            sessionId: this.session.sessionId,
            waMessageId: m.key.id,
            error: error instanceof Error ? error.message : String(error),
          });
        }
      }
    });
    return this.#chain;
  }

  /** Resolves when every batch handed over so far is processed. */
  idle(): Promise<void> {
    return this.#chain;
  }

  /**
   * The content of media message `m` with its file stored, started now in the host's download queue; nothing
   * for other messages or without a queue (the file is then fetched when the chain reaches the message). A
   * redelivered message may be downloaded again before the chain finds it stored: its object key is derived
   * from its WhatsApp id, so the copy overwrites the same object.
   */
  #startDownload(m: WAMessage): Promise<MessageContent> | undefined {
    const content = this.downloads ? toInboundContent(m.message, undefined)?.content : undefined;
    if (!this.downloads || !content || !isInboundMedia(content)) return undefined;
    // Never rejects: nobody awaits it until the chain gets there, and the message is stored without its file
    // rather than not at all (withInboundMedia logs its own failures; this catches the unexpected).
    return this.downloads
      .add(() => withInboundMedia(this.deps, this.session, m, content))
      .catch((error: unknown) => {
        this.deps.log.error('incoming media download failed unexpectedly', {
          sessionId: this.session.sessionId,
          waMessageId: m.key.id,
          error: error instanceof Error ? error.message : String(error),
        });
        return content;
      });
  }

  /** `media`: the content with its file stored, when its download was started ahead (`onUpsert`). */
  async receive(m: WAMessage, media?: Promise<MessageContent>): Promise<Message | null> {
    const waMessageId = m.key.id;
    const remoteJid = m.key.remoteJid;
    if (!waMessageId || !remoteJid || !isStorable(m)) return null;
    const { messages, chats } = this.deps;
    const { sessionId, tenantId } = this.session;
    const action = inboundActionOf(m.message);
    if (action) {
      this.#actions ??= new InboundActions(this.deps, this.session, this.lidMap);
      await this.#actions.apply(m, action);
      return null;
    }

    const reactedTo = reactionTargetWaId(m.message);
    const target = reactedTo ? await messages.findByWaMessageId(sessionId, reactedTo) : null;
    const parsed = toInboundContent(m.message, target?.id);
    if (!parsed) return null;
    if (this.#inProgress.has(waMessageId)) return null;
    this.#inProgress.add(waMessageId);
    try {
      if (await messages.findByWaMessageId(sessionId, waMessageId)) return null;

      const participant = m.key.participant || undefined; // Baileys gives "" in one-to-one chats
      const { chatJid, senderJid, from } = await inboundParties(this.lidMap, m.key);
      const chatPhone = jidToPhone(chatJid) ?? undefined;
      const chatLid = participant === undefined ? from?.lid : undefined;
      const quoted =
        parsed.quotedWaId !== undefined && parsed.content.type !== 'reaction'
          ? await messages.findByWaMessageId(sessionId, parsed.quotedWaId)
          : null;
      const seconds = toNumber(m.messageTimestamp ?? 0);
      const now = nowIso();
      // WhatsApp stamps whole seconds; our own sends carry milliseconds. A message received in the second it
      // was sent takes the receive time, so it does not sort before a reply we sent a few ms earlier; one
      // delivered late (offline queue) keeps its own second.
      const createdAt = seconds > 0 ? nowIso(new Date(Math.min(Date.now(), seconds * 1000 + 999))) : now;
      const content = media
        ? await media
        : await withInboundMedia(this.deps, this.session, m, parsed.content);
      // A 1:1 contact assigned to this session in a pool: the reply carries the pool (one Query on `byMember`).
      const poolId =
        participant === undefined && chatPhone !== undefined
          ? (await this.deps.pools?.poolsOfContact(sessionId, chatPhone))?.[0]
          : undefined;

      const { message, created } = await messages.create(
        {
          id: newId(),
          tenantId,
          sessionId,
          direction: 'inbound',
          chatJid,
          ...(from !== undefined ? { from } : {}),
          senderJid,
          // In a group the sender is a member, not the chat: said explicitly for readers of the message.
          ...(participant !== undefined && from !== undefined ? { participant: from } : {}),
          ...(m.pushName ? { pushName: m.pushName } : {}),
          type: content.type,
          content,
          status: 'delivered',
          statusHistory: [{ status: 'delivered', at: now }],
          waMessageId,
          ...(quoted ? { replyTo: quoted.id } : {}),
          ...(poolId !== undefined ? { poolId } : {}),
          createdAt,
          updatedAt: now,
        },
        { eventPending: true },
      );
      if (!created) return null;
      this.deps.metrics?.count(MESSAGE_METRIC.received);
      await this.#keepPollSecret(message, m);
      // A reaction is not a new line in the chat list, and phones do not count it as unread.
      if (message.content.type !== 'reaction') {
        const chat = await chats.recordMessage({
          tenantId,
          sessionId,
          chatJid,
          ...(chatPhone !== undefined ? { phone: chatPhone } : {}),
          ...(chatLid !== undefined ? { lid: chatLid } : {}),
          ...(m.pushName && participant === undefined ? { name: m.pushName } : {}),
          lastMessage: {
            id: message.id,
            type: message.type,
            preview: messagePreview(message.content),
            at: message.createdAt,
            direction: 'inbound',
          },
        });
        publishChatUpdated(this.deps, chat);
      }
      // Not awaited (the host's bus batches): publishes, then clears the marker; failures are logged.
      void this.outbox.publish(message);
      return message;
    } finally {
      this.#inProgress.delete(waMessageId);
    }
  }

  /** A contact's poll keeps the secret its votes will be encrypted with (inbound-actions.ts decrypts them). */
  async #keepPollSecret(message: Message, m: WAMessage): Promise<void> {
    const secret = m.message?.messageContextInfo?.messageSecret;
    if (message.content.type !== 'poll' || !secret?.length) return;
    await this.deps.messages.ensurePollSecret(message.sessionId, message.id, secret);
  }
}

/** Chats we keep: not status broadcasts, not newsletters, and the message names its id and chat. */
/** Our own message that edits or revokes another: made on the account's phone, or the echo of our own send. */
function isOwnEditOrRevoke(m: WAMessage): boolean {
  const kind = inboundActionOf(m.message)?.kind;
  return kind === 'edit' || kind === 'revoke';
}

function isStorable(m: WAMessage): boolean {
  const remoteJid = m.key.remoteJid;
  return !!m.key.id && !!remoteJid && !isBroadcastJid(remoteJid) && !remoteJid.endsWith('@newsletter');
}
