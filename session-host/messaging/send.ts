/**
 * One send of one message (docs/messaging.md, "Send pipeline and exactly-once"):
 *
 * 1. read the message (consistent); only `queued`, or `sending` left by an attempt that did not finish, goes on;
 * 2. `queued -> sending` together with the WhatsApp id derived from our id (a conditional write: a duplicate
 *    doorbell or a second reader loses here);
 * 3. check the recipient is on WhatsApp (cached per session), build the Baileys content (media fetched here);
 * 4. `sendMessage(jid, content, { messageId })` and wait for the server's ack (an error ack fails the message);
 * 5. the key state the message was encrypted with and `sending -> sent` become durable together: ONE fenced
 *    `TransactWriteItems` (`commitWithCredentials`, issue #14; without it, a flush and then the move);
 * 6. publish `message.status`, update the chat and publish `chat.updated`.
 *
 * A crash anywhere before 5 completes leaves the message `queued` or `sending`; the next owner sends it again under the
 * same WhatsApp id, which the receiving phone drops as a repeat. So a contact sees each message once.
 */
import { randomBytes } from 'node:crypto';
import type { WAMessage } from '@whiskeysockets/baileys';
import type { BinaryNode } from '@whiskeysockets/baileys';
import { lidOfJid } from '../../shared/domain/contact-id.js';
import { makeEvent } from '../../shared/domain/events.js';
import { nowIso } from '../../shared/domain/ids.js';
import type { Message, MessageError } from '../../shared/domain/message.js';
import type { AdvanceStatusResult } from '../../shared/ports/message-repository.js';
import { messagePreview } from '../../shared/domain/message.js';
import { isGroupJid, phoneToJid } from '../../shared/domain/phone.js';
import type { SessionLidMap } from '../compat/lid-map.js';
import { sendJidFor } from '../compat/lid-send.js';
import { publishChatUpdated } from './chat-updated.js';
import type { AttachedSession, MessagingDeps } from './deps.js';
import { loadMedia } from './media-fetch.js';
import { SendFailure } from './send-failure.js';
import { toBaileysSend } from './send-content.js';
import { waMessageIdFor } from './wa-message-id.js';
import { MESSAGE_METRIC } from './metric-names.js';
import { applyOwnAction } from './own-actions.js';
import { REACHOUT_TIMELOCKED_ACK } from '../compat/timelock.js';

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
  /** Keeps the proto Baileys sent, to answer retry receipts (session-host/compat/retry-receipts.ts). */
  readonly keepSent?: (messageId: string, waMessageId: string, sent: WAMessage | undefined) => Promise<void>;
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
  const found = await messages.get(session.sessionId, messageId);
  if (!found || found.tenantId !== session.tenantId || found.direction !== 'outbound') return 'skipped';
  if (found.status !== 'queued' && found.status !== 'sending') return 'skipped';
  // A closed socket is the connection's problem, not the message's: leave it for the drain after reconnect.
  if (ctx.isDetached() || !socketOpen(ctx)) return 'stopped';

  const waMessageId = waMessageIdFor(found.id);
  let message: Message = found;
  if (found.status === 'queued') {
    const moved = await messages.advanceStatus(session.sessionId, found.id, 'sending', {
      at: nowIso(),
      waMessageId,
    });
    if (!moved.changed && moved.message.status !== 'sending') return 'skipped';
    message = moved.message;
  }
  remember(ctx, waMessageId, message.id);

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
    let kept: Promise<void> | undefined;
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
    await kept;
  } catch (error) {
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
  const committed = await commitUntilDurable(ctx, message, { at: sentAt, waMessageId });
  if (committed === 'stopped') return 'stopped';
  const moved =
    committed ??
    (await messages.advanceStatus(session.sessionId, message.id, 'sent', {
      at: sentAt,
      waMessageId,
    }));
  deps.metrics?.count(MESSAGE_METRIC.sent);
  if (moved.changed) publishStatus(deps, moved.message);
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

/** Errors after which this host may never write the session's credentials again: the lease is gone. */
const FENCED = new Set(['CredentialsFencedError', 'CredentialsFrozenError']);
const COMMIT_RETRY_MS = { first: 200, max: 5_000 };

/**
 * `commitSent`, tried again while the session stays attached here: WhatsApp has the message, so only the
 * durable record is missing. A throttled or failed transaction (DynamoDB 5xx, an outage) used to leave the
 * message `sending` until the session's next attach, which may never come while the host keeps it (found by the
 * chaos test). A refused fence (the lease is gone) or a detach stops it: the next owner resends under the same
 * WhatsApp id, which the contact's phone drops as a repeat.
 */
async function commitUntilDurable(
  ctx: SendContext,
  message: Message,
  options: { at: string; waMessageId: string },
): Promise<AdvanceStatusResult | undefined | 'stopped'> {
  const { deps, session } = ctx;
  for (let attempt = 0; ; attempt++) {
    try {
      return await commitSent(ctx, message, options);
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

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The send's keys and its `sending -> sent` in one round trip when the session offers it; a move refused by its
 * own condition (a receipt already moved the message on) still writes the keys and reports `changed: false`.
 * Without it, only the flush: the caller then moves the message on its own (`undefined`).
 */
async function commitSent(
  ctx: SendContext,
  message: Message,
  options: { at: string; waMessageId: string },
): Promise<AdvanceStatusResult | undefined> {
  const { messages } = ctx.deps;
  const { session } = ctx;
  if (!session.commitWithCredentials) {
    await session.flushCredentials();
    return undefined;
  }
  const { part, after } = messages.advanceStatusPart(message, 'sent', options);
  if ((await session.commitWithCredentials(part)).applied) return { changed: true, message: after };
  const stored = (await messages.get(session.sessionId, message.id)) ?? message;
  // Refused by its own condition, yet our move is stored (this send's `sent` entry, at this send's time): an
  // earlier try went in and only its answer was lost (`commitUntilDurable` tries again with a new transaction;
  // DynamoDB Local may not honour the SDK's idempotency token on its retries). It is our move all the same, and
  // its `message.status` must still be published.
  const ours = stored.statusHistory.some((h) => h.status === 'sent' && h.at === options.at);
  return { changed: ours, message: stored };
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
 * `message.status` for the message as stored now, with the send's metadata. Not awaited: the host's bus
 * batches for up to ~100 ms, and a send must not hold its lane (and a concurrency slot) for that; the status is
 * already stored, and a publishing failure is logged. Never throws.
 */
export function publishStatus(deps: MessagingDeps, message: Message): void {
  const failed = (error: unknown): void =>
    deps.log.error('message.status not published', {
      sessionId: message.sessionId,
      messageId: message.id,
      error: error instanceof Error ? error.message : String(error),
    });
  try {
    const event = makeEvent('message.status', {
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
    // Through the event outbox (kept and republished until the bus takes it) when the host gives one.
    (deps.outbox ?? deps.events).publish([event]).catch(failed);
  } catch (error) {
    failed(error);
  }
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
