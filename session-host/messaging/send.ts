/**
 * One send of one message (docs/messaging.md, "Send pipeline and exactly-once"):
 *
 * 1. read the message (consistent); only `queued`, or `sending` left by an attempt that did not finish, goes on;
 * 2. `queued -> sending` together with the WhatsApp id derived from our id (a conditional write: a duplicate
 *    doorbell or a second reader loses here);
 * 3. check the recipient is on WhatsApp (cached per session), build the Baileys content (media fetched here);
 * 4. `sendMessage(jid, content, { messageId })` and wait for the server's ack (an error ack fails the message);
 * 5. the key state the message was encrypted with, `sending -> sent` (with the sent proto, for retry receipts)
 *    and its `message.status` in the event outbox become durable together: ONE fenced `TransactWriteItems` (send-commit.ts, issue #14; without it, a flush
 *    and then the move);
 * 6. hand `message.status` to the bus, update the chat and publish `chat.updated`.
 *
 * A crash anywhere before 5 completes leaves the message `queued` or `sending`; the next owner sends it again under the
 * same WhatsApp id, which the receiving phone drops as a repeat. So a contact sees each message once.
 */
import { randomBytes } from 'node:crypto';
import type { WAMessage } from '@whiskeysockets/baileys';
import type { BinaryNode } from '@whiskeysockets/baileys';
import { lidOfJid } from '../../shared/domain/contact-id.js';
import { NotFoundError } from '../../shared/domain/errors.js';
import { nowIso } from '../../shared/domain/ids.js';
import type { Message, MessageError } from '../../shared/domain/message.js';
import { messagePreview } from '../../shared/domain/message.js';
import { isGroupJid, phoneToJid } from '../../shared/domain/phone.js';
import type { SessionLidMap } from '../compat/lid-map.js';
import { sendJidFor } from '../compat/lid-send.js';
import { publishChatUpdated } from './chat-updated.js';
import { publishStatus, publishStoredStatus } from './message-status.js';
import { commitUntilDurable, type SentCommit } from './send-commit.js';
import type { AttachedSession, MessagingDeps } from './deps.js';
import { loadMedia } from './media-fetch.js';
import { SendFailure } from './send-failure.js';
import { toBaileysSend } from './send-content.js';
import { waMessageIdFor } from './wa-message-id.js';
import { MESSAGE_METRIC } from './metric-names.js';
import { applyOwnAction } from './own-actions.js';
import { REACHOUT_TIMELOCKED_ACK } from '../compat/timelock.js';
import type { KeptSent } from '../compat/retry-receipts.js';

export type SendOutcome =
  /** WhatsApp accepted it and it is `sent` (or already further). */
  | 'sent'
  /** Recorded `failed` with a reason. */
  | 'failed'
  /** Nothing to do: missing, another tenant's, or no longer `queued`/`sending` (a duplicate doorbell). */
  | 'skipped'
  /** Stopped because the session was detached; the message stays `queued`/`sending` for the next owner. */
  | 'stopped';

/** What one session's sends share: the socket, and small caches that spare DynamoDB and usync round trips. */
export interface SendContext {
  readonly deps: MessagingDeps;
  readonly session: AttachedSession;
  /** Recipients WhatsApp said exist (usync is not free, and WhatsApp watches lookup volume too). */
  readonly knownRecipients: Set<string>;
  /** WhatsApp id -> our id for this process's recent sends: receipts can beat the `byWaId` index. */
  readonly recentWaIds: Map<string, string>;
  /** The session's LID <-> phone map: migrated contacts are addressed by LID. */
  readonly lidMap: SessionLidMap;
  readonly isDetached: () => boolean;
  /**
   * Keeps the proto Baileys sent, to answer retry receipts (session-host/compat/retry-receipts.ts); the send's
   * transaction stores it.
   */
  readonly keepSent?: (
    messageId: string,
    waMessageId: string,
    sent: WAMessage | undefined,
  ) => KeptSent | undefined;
}

const RECENT_WA_IDS = 2_000;
/** How far back a chat is searched for a message from the contact (a contact who wrote holds a token). */
const WROTE_TO_US_LOOKBACK = 50;

/**
 * Sends one message. Throws a retryable `SendFailure` (or an unknown error) when another attempt may succeed;
 * the scheduler retries and finally calls `failSend`.
 */
export async function sendMessage(ctx: SendContext, messageId: string): Promise<SendOutcome> {
  // The debounced credentials write waits for the send: its keys belong in its own `sending -> sent` transaction.
  const release = ctx.session.holdCredentials?.();
  try {
    return await sendOnce(ctx, messageId);
  } finally {
    release?.();
  }
}

async function sendOnce(ctx: SendContext, messageId: string): Promise<SendOutcome> {
  const { deps, session } = ctx;
  const { messages } = deps;
  // A closed socket is the connection's problem, not the message's: leave it for the drain after reconnect.
  if (ctx.isDetached() || !socketOpen(ctx)) return 'stopped';
  const waMessageId = waMessageIdFor(messageId);
  const message = await claimForSend(ctx, messageId, waMessageId);
  if (!message) return 'skipped';
  remember(ctx, waMessageId, message.id);

  let kept: KeptSent | undefined;
  try {
    const jid = await recipientJid(ctx, message);
    const built = await toBaileysSend(message, {
      loadMedia: (source) =>
        loadMedia(source, { tenantId: session.tenantId, media: deps.media, config: deps.config }),
      findMessage: (id) => messages.get(session.sessionId, id),
      pollSecret: (id) => messages.ensurePollSecret(session.sessionId, id, randomBytes(32)),
    });
    if (ctx.isDetached()) return 'stopped';

    const ack = waitForServerAck(session, waMessageId, deps.config.ackTimeoutMs);
    try {
      const sent = await session.socket.sendMessage(
        jid,
        built.content,
        sendOptions(session, waMessageId, built.quoted),
      );
      kept = ctx.keepSent?.(message.id, waMessageId, sent);
    } catch (error) {
      ack.cancel();
      throw error;
    }
    await ack.done;
  } catch (error) {
    // WhatsApp may have it all the same (a lost ack): keep the proto on the item as before, the resend replaces it.
    void kept?.store();
    if (error instanceof SendFailure && !error.retryable) {
      await failSend(ctx, message, { code: error.code, message: error.message });
      return 'failed';
    }
    // The socket closed under the send: not an attempt against the message (no retries burnt towards
    // `failed`); it stays `sending` and the drain after the reconnect resends it under the same id.
    if (ctx.isDetached() || !socketOpen(ctx)) return 'stopped';
    throw error;
  }

  // WhatsApp has it: from here on a failure must not turn into `failed` (the contact may already read it).
  const sentAt = nowIso();
  const committed = await commitUntilDurable(ctx, message, { at: sentAt, waMessageId }, kept);
  // The transaction normally stored the sent proto; when it did not, it is written on its own (as before #14).
  if (committed !== 'stopped' && committed?.protoStored) kept?.stored();
  else await kept?.store();
  if (committed === 'stopped') return 'stopped';
  const moved: SentCommit =
    committed ??
    (await messages.advanceStatus(session.sessionId, message.id, 'sent', {
      at: sentAt,
      waMessageId,
    }));
  deps.metrics?.count(MESSAGE_METRIC.sent);
  if (moved.storedEvent) publishStoredStatus(deps, moved.message, moved.storedEvent);
  else if (moved.changed) publishStatus(deps, moved.message);
  if (await applyOwnAction(deps, message, sentAt)) return 'sent';
  if (message.content.type !== 'reaction') {
    const chat = await deps.chats.recordMessage({
      tenantId: message.tenantId,
      sessionId: message.sessionId,
      chatJid: message.chatJid,
      ...(message.to !== undefined && !isGroupJid(message.to) ? { phone: message.to } : {}),
      lastMessage: {
        id: message.id,
        type: message.type,
        preview: messagePreview(message.content),
        at: sentAt,
        direction: 'outbound',
      },
    });
    publishChatUpdated(deps, chat);
  }
  return 'sent';
}

/** Records `failed` with the reason (only from `queued`/`sending`; forward-only) and tells subscribers. */
export async function failSend(ctx: SendContext, message: Message, error: MessageError): Promise<void> {
  const moved = await ctx.deps.messages.advanceStatus(message.sessionId, message.id, 'failed', {
    at: nowIso(),
    error,
  });
  ctx.deps.metrics?.count(MESSAGE_METRIC.failed);
  ctx.deps.log.warn('message failed', {
    sessionId: message.sessionId,
    messageId: message.id,
    code: error.code,
  });
  if (moved.changed) publishStatus(ctx.deps, moved.message);
}

/**
 * Steps 1 and 2 in one write: `queued -> sending` with the WhatsApp id, answering the message as stored (one
 * conditional UpdateItem; a read first would be a second round trip on every send). Refused, it answers the
 * message as it is: one left `sending` by an attempt that did not finish goes on; anything else (a duplicate
 * doorbell, a message already sent, none at all) is skipped.
 */
async function claimForSend(
  ctx: SendContext,
  messageId: string,
  waMessageId: string,
): Promise<Message | null> {
  const { deps, session } = ctx;
  let moved;
  try {
    moved = await deps.messages.advanceStatus(session.sessionId, messageId, 'sending', {
      at: nowIso(),
      waMessageId,
    });
  } catch (error) {
    if (error instanceof NotFoundError) return null;
    throw error;
  }
  const message = moved.message;
  // Only outbound messages are ever `queued`; the checks keep a doorbell for anything else from acting on it.
  if (message.tenantId !== session.tenantId || message.direction !== 'outbound') return null;
  return moved.changed || message.status === 'sending' ? message : null;
}

function socketOpen(ctx: SendContext): boolean {
  return ctx.session.socket.ws.isOpen;
}

function remember(ctx: SendContext, waMessageId: string, messageId: string): void {
  ctx.recentWaIds.delete(waMessageId);
  ctx.recentWaIds.set(waMessageId, messageId);
  if (ctx.recentWaIds.size > RECENT_WA_IDS) {
    const oldest = ctx.recentWaIds.keys().next().value;
    if (oldest !== undefined) ctx.recentWaIds.delete(oldest);
  }
}

/**
 * The jid to send to. A group is addressed as itself (Baileys fans the message out with the group's sender key;
 * WhatsApp refuses it when the account is not a member). A number is checked to be on WhatsApp, addressed by
 * its LID when known, and refused while the account is timelocked. A message without a number whose chat is a
 * LID (the host's own reply to a LID-only caller; the API always names a number or a group) goes to that LID.
 */
async function recipientJid(ctx: SendContext, message: Message): Promise<string> {
  const { to, chatJid } = message;
  if (to === undefined) {
    if (lidOfJid(chatJid) === null)
      throw new SendFailure('bad_recipient', 'the message has no recipient number');
    await refuseWhileTimelocked(ctx, chatJid, chatJid);
    return chatJid;
  }
  if (isGroupJid(to)) return to;
  await ensureOnWhatsApp(ctx, phoneToJid(to), to);
  const jid = await sendJidFor(ctx.lidMap, to);
  await refuseWhileTimelocked(ctx, jid, chatJid);
  return jid;
}

async function ensureOnWhatsApp(ctx: SendContext, jid: string, phone: string): Promise<void> {
  if (ctx.knownRecipients.has(jid)) return;
  let result: { jid: string; exists: boolean }[] | undefined;
  try {
    result = await ctx.session.socket.onWhatsApp(jid);
  } catch (error) {
    throw new SendFailure('send_failed', 'could not look the recipient up', true, { cause: error });
  }
  if (!result?.some((r) => r.exists)) {
    throw new SendFailure('not_on_whatsapp', `${phone} is not on WhatsApp`);
  }
  ctx.knownRecipients.add(jid);
}

/**
 * While WhatsApp timelocks the account, a send to a contact without a trust token would only get 463 and count
 * as one more reach-out: fail it here instead (not retryable).
 */
async function refuseWhileTimelocked(ctx: SendContext, jid: string, chatJid: string): Promise<void> {
  const { deps, session } = ctx;
  const refusal = await session.reachout?.refusal(jid, async () => {
    const recent = await deps.messages.listByChat(session.sessionId, chatJid, {
      limit: WROTE_TO_US_LOOKBACK,
    });
    return recent.items.some((m) => m.direction === 'inbound');
  });
  if (refusal === undefined) return;
  deps.metrics?.count(MESSAGE_METRIC.refusedTimelocked);
  throw new SendFailure('reachout_timelocked', refusal);
}

/**
 * Baileys' options for this send. `upload` is the socket's own media uploader, passed explicitly so it is read
 * from the socket object at send time (the same function Baileys would use; tests swap it for a stand-in media
 * host, since the simulator has none).
 */
function sendOptions(session: AttachedSession, waMessageId: string, quoted: WAMessage | undefined) {
  return {
    messageId: waMessageId,
    ...(quoted !== undefined ? { quoted } : {}),
    upload: session.socket.waUploadToServer,
  };
}

interface PendingAck {
  readonly done: Promise<void>;
  cancel(): void;
}

/**
 * Baileys resolves `sendMessage` once the stanza is written and reports no successful server ack (only error
 * acks, late, as an ERROR status). We listen for the ack ourselves: an error code fails the message (WhatsApp
 * refused it), silence past the timeout is a retryable failure (the resend reuses the WhatsApp id).
 */
function waitForServerAck(session: AttachedSession, waMessageId: string, timeoutMs: number): PendingAck {
  const ws = session.socket.ws;
  let cleanup = (): void => undefined;
  const done = new Promise<void>((resolve, reject) => {
    const onAck = (node: BinaryNode): void => {
      if (node.attrs.id !== waMessageId) return;
      cleanup();
      const code = node.attrs.error;
      // 463: the account may not reach out to this contact now; another attempt only worsens the lock.
      if (code === REACHOUT_TIMELOCKED_ACK)
        reject(
          new SendFailure(
            'reachout_timelocked',
            'WhatsApp refused the message: the account may not start new chats now (error 463)',
          ),
        );
      else if (code) reject(new SendFailure('wa_rejected', `WhatsApp refused the message (error ${code})`));
      else resolve();
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new SendFailure('send_failed', `no server ack within ${timeoutMs} ms`, true));
    }, timeoutMs);
    cleanup = () => {
      clearTimeout(timer);
      ws.off('CB:ack,class:message', onAck);
    };
    ws.on('CB:ack,class:message', onAck);
  });
  // A cancelled wait must not surface as an unhandled rejection.
  done.catch(() => undefined);
  return { done, cancel: () => cleanup() };
}
