/**
 * Sending and reading messages. A send writes the message `queued` first (the truth), then rings the owner host
 * (a doorbell); a host that claims the session later drains what is queued, so no send is lost either way.
 */
import { ConflictError, NotFoundError, ValidationError, type FieldError } from '../domain/errors.js';
import { newId, nowIso } from '../domain/ids.js';
import { MEDIA_RETENTION_DAYS, mediaObjectKey } from '../domain/media.js';
import {
  contentOfRequest,
  mediaSourceOf,
  messagePreview,
  type Message,
  type SendMessageRequest,
  type SendMessageResponse,
} from '../domain/message.js';
import { chatKeyToJid } from '../domain/contact-id.js';
import { isGroupJid, phoneToJid } from '../domain/phone.js';
import type { Session } from '../domain/session.js';
import type { Tenant } from '../domain/tenant.js';
import type { Page, PageRequest } from '../ports/pagination.js';
import type { PoolSendPart, SendWrite } from '../ports/send-writer.js';
import type { ControlPlaneDeps } from './deps.js';
import { IdempotencyKeyReusedError } from '../ports/idempotency-store.js';
import { requestFingerprint } from './idempotency.js';
import { assertPublicMediaUrl } from './media-url-guard.js';
import { slidingWindow } from '../domain/rate-window.js';
import { rateLimitedBy, sessionSendsBucket } from './rate-limit.js';
import { loadSession } from './sessions.js';
import { namedChat } from './chat-names.js';
import { mapPage, toChatView, toMessageView, type ChatView, type MessageView } from './views.js';

type Deps = ControlPlaneDeps;

export interface SendInput {
  readonly tenant: Tenant;
  readonly sessionId: string;
  readonly request: SendMessageRequest;
  readonly idempotencyKey?: string;
  /** The session's read, when the caller started it already (alongside the tenant guard). */
  readonly sessionRead?: Promise<Session | null>;
}

/**
 * `replyTo` and a reaction's `messageId` name our message ids: they must be messages of this session, or the
 * host could only fail the send later. A 400 naming the field instead.
 */
async function assertReferencedMessages(
  deps: Pick<Deps, 'repos'>,
  sessionId: string,
  request: SendMessageRequest,
): Promise<void> {
  const references: { id: string; pointer: string }[] = [];
  if (request.replyTo !== undefined) references.push({ id: request.replyTo, pointer: '/replyTo' });
  if (request.type === 'reaction')
    references.push({ id: request.reaction.messageId, pointer: '/reaction/messageId' });
  const errors: FieldError[] = [];
  for (const ref of references) {
    if (!(await deps.repos.messages.get(sessionId, ref.id))) {
      errors.push({
        location: 'body',
        pointer: ref.pointer,
        message: 'no message with this id in this session',
      });
    }
  }
  if (errors.length > 0) throw new ValidationError(errors);
}

/**
 * A `mediaId` must name a file this tenant uploaded (or received) that the bucket still holds (objects expire
 * after `MEDIA_RETENTION_DAYS`), or the host could only fail the send later. A 400 naming the field instead.
 */
async function assertUploadedMedia(
  deps: Pick<Deps, 'media'>,
  tenantId: string,
  request: SendMessageRequest,
): Promise<void> {
  const source = mediaSourceOf(request);
  if (source?.mediaId === undefined) return;
  if (await deps.media.exists(mediaObjectKey(tenantId, source.mediaId))) return;
  throw new ValidationError([
    {
      location: 'body',
      pointer: `${source.pointer}/mediaId`,
      message: `no media with this id (upload it with POST /v1/media; media expire after ${MEDIA_RETENTION_DAYS} days)`,
    },
  ]);
}

/**
 * Two DynamoDB round trips, overlapped (`docs/api.md`, "Send path"): the session read (for the doorbell's
 * owner) runs alongside the one transaction that checks the session, claims the key, counts the send and
 * stores the message and its chat; the transaction's refusals become the 404 / 409 / 429. Then the doorbell.
 */
export async function sendMessage(deps: Deps, input: SendInput): Promise<SendMessageResponse> {
  const { tenant, sessionId, request } = input;
  // Checks that need a lookup run only when the body names something (the common send names nothing), and after
  // the session check, so an unknown session is still a 404 before any 400 about what the body names.
  const sessionRead = input.sessionRead ?? deps.repos.sessions.get(tenant.id, sessionId);
  // On the common path a failed read is the transaction's to report (it checks the session too).
  sessionRead.catch(() => undefined);
  if (referencesSomething(request)) {
    const session = await sessionRead;
    if (!session) throw new NotFoundError(`No session ${sessionId}`);
    assertRunning(session);
    await assertSendReferences(deps, tenant.id, sessionId, request);
  }

  const message = outboundMessage(tenant.id, sessionId, request, deps.now());
  const { id, status } = await queueOutbound(deps, {
    tenant,
    message,
    fingerprintPath: `POST /v1/sessions/${sessionId}/messages`,
    fingerprintBody: request,
    sessionRead,
    ...(input.idempotencyKey === undefined ? {} : { idempotencyKey: input.idempotencyKey }),
  });
  return { id, status };
}

/** The `queued` message a send request makes. */
export function outboundMessage(
  tenantId: string,
  sessionId: string,
  request: SendMessageRequest,
  now: number,
  poolId?: string,
): Message {
  const at = nowIso(new Date(now));
  const content = contentOfRequest(request);
  return {
    id: newId(now),
    tenantId,
    sessionId,
    direction: 'outbound',
    // A group id is its own chat jid; a number is the contact's phone-number jid.
    chatJid: isGroupJid(request.to) ? request.to : phoneToJid(request.to),
    to: request.to,
    type: content.type,
    content,
    status: 'queued',
    statusHistory: [{ status: 'queued', at }],
    ...(request.replyTo === undefined ? {} : { replyTo: request.replyTo }),
    ...(request.metadata === undefined ? {} : { metadata: request.metadata }),
    ...(poolId === undefined ? {} : { poolId }),
    createdAt: at,
    updatedAt: at,
  };
}

/** What the body names (a replied message, a reacted message, media) exists: 400s naming the field otherwise. */
export async function assertSendReferences(
  deps: Deps,
  tenantId: string,
  sessionId: string,
  request: SendMessageRequest,
): Promise<void> {
  await assertPublicMediaUrl(request, { allowLoopback: deps.localMode });
  await assertReferencedMessages(deps, sessionId, request);
  await assertUploadedMedia(deps, tenantId, request);
}

export const referencesSomething = (request: SendMessageRequest): boolean =>
  request.replyTo !== undefined || request.type === 'reaction' || mediaSourceOf(request) !== undefined;

/** A pool send's routing read went out of date before its transaction: the pool routes it again. */
export class RouteStaleError extends Error {
  constructor() {
    super('pool routing state changed; route again');
    this.name = 'RouteStaleError';
  }
}

/** A re-route found the message taken (its member is sending it) or moved already: nothing to do. */
export class SupersededTakenError extends Error {
  constructor() {
    super('the message to re-route is no longer waiting');
    this.name = 'SupersededTakenError';
  }
}

export interface QueueOutboundInput {
  readonly tenant: Tenant;
  /** The message to store `queued` (its chat gets it as the last message unless `chatPreview` is false). */
  readonly message: Message;
  readonly chatPreview?: boolean;
  readonly idempotencyKey?: string;
  /** Where the key is unique (default: the tenant; a pool send: the pool). */
  readonly idempotencyScope?: string;
  /** What the `Idempotency-Key` fingerprint covers: the route and its body. */
  readonly fingerprintPath: string;
  readonly fingerprintBody: unknown;
  readonly sessionRead: Promise<Session | null>;
  /** A pool send's assignment and load (docs/pools.md); its refusals throw `RouteStaleError`. */
  readonly pool?: PoolSendPart;
  /** A re-routed pool message's original (`SendWrite.supersedes`); its refusal throws `SupersededTakenError`. */
  readonly supersedes?: SendWrite['supersedes'];
}

/**
 * The one durable write of every outbound message (sends, edits, revokes): the transaction that checks the
 * session, claims the key, counts the send against the session's rate and stores the message and its chat; its
 * refusals become the 404 / 409 / 429. Then the owner host's doorbell.
 */
export async function queueOutbound(
  deps: Deps,
  input: QueueOutboundInput,
): Promise<SendMessageResponse & { readonly sessionId: string; readonly replayed?: true }> {
  const { tenant, message } = input;
  const sessionId = message.sessionId;
  const now = Date.parse(message.createdAt);
  const at = message.createdAt;
  const window = slidingWindow(now);
  const sendRate = {
    bucket: sessionSendsBucket(tenant.id, sessionId),
    limit: tenant.limits.sendsPerMinute,
    window,
  };
  const outcome = await deps.sends.write({
    message,
    chat: {
      tenantId: tenant.id,
      sessionId,
      chatJid: message.chatJid,
      ...(message.to === undefined || isGroupJid(message.to) ? {} : { phone: message.to }),
      lastMessage: {
        id: message.id,
        type: message.type,
        preview: messagePreview(message.content),
        at,
        direction: 'outbound',
      },
    },
    ...(input.chatPreview === false ? { chatPreview: false } : {}),
    ...(input.idempotencyKey === undefined
      ? {}
      : {
          idempotency: {
            scope: input.idempotencyScope ?? tenant.id,
            key: input.idempotencyKey,
            fingerprint: requestFingerprint(input.fingerprintPath, input.fingerprintBody),
          },
        }),
    sendRate,
    now,
    ...(input.pool === undefined ? {} : { pool: input.pool }),
    ...(input.supersedes === undefined ? {} : { supersedes: input.supersedes }),
  });
  if (outcome.kind === 'superseded-taken') throw new SupersededTakenError();
  // For a pool send, a member stopped since the routing read is the pool's to route around, not a 404 / 409.
  if (input.pool && ['route-stale', 'no-session', 'session-stopped'].includes(outcome.kind))
    throw new RouteStaleError();
  switch (outcome.kind) {
    case 'stored':
      break;
    // The key's claim and its message were written together, so the message exists: the same answer again, not
    // counted against the send rate, no second doorbell.
    case 'replayed':
      return {
        id: outcome.messageId,
        status: 'queued',
        sessionId: outcome.sessionId ?? sessionId,
        replayed: true,
      };
    case 'no-session':
      throw new NotFoundError(`No session ${sessionId}`);
    case 'session-stopped':
      throw stoppedError(sessionId, outcome.status);
    case 'key-reused':
      throw new IdempotencyKeyReusedError();
    case 'rate-limited':
      throw rateLimitedBy(outcome.hit, sendRate.limit, window, 'Sends for this session', now);
    case 'route-stale':
      throw new RouteStaleError();
  }
  const session = await input.sessionRead.catch(() => null);
  if (session) {
    await deps.doorbell.ring(session, {
      type: 'message.send',
      tenantId: tenant.id,
      sessionId,
      messageId: message.id,
      sentAt: at,
    });
  }
  return { id: message.id, status: 'queued', sessionId };
}

const stoppedError = (sessionId: string, status: string): ConflictError =>
  new ConflictError(`Session ${sessionId} is stopped (${status}); it cannot send`);

export function assertRunning(session: Session): void {
  if (session.desired !== 'running') throw stoppedError(session.id, session.status);
}

export interface HistoryQuery extends PageRequest {
  /** E.164, or `lid:<digits>` for a LID-only contact: only this chat's messages. Without it, the whole session's. */
  readonly chat?: string;
  readonly order?: 'newest' | 'oldest';
}

export async function listMessages(
  deps: Pick<Deps, 'repos'>,
  tenantId: string,
  sessionId: string,
  query: HistoryQuery,
): Promise<Page<MessageView>> {
  await loadSession(deps, tenantId, sessionId);
  const page = { limit: query.limit, cursor: query.cursor };
  const result =
    query.chat === undefined
      ? await deps.repos.messages.listBySession(sessionId, page)
      : await deps.repos.messages.listByChat(sessionId, chatKeyToJid(query.chat), {
          ...page,
          direction: query.order === 'oldest' ? 'forward' : 'backward',
        });
  return mapPage(result, toMessageView);
}

export async function getMessage(
  deps: Pick<Deps, 'repos'>,
  tenantId: string,
  sessionId: string,
  messageId: string,
): Promise<MessageView> {
  await loadSession(deps, tenantId, sessionId);
  const message = await deps.repos.messages.get(sessionId, messageId);
  if (!message || message.tenantId !== tenantId) throw new NotFoundError(`No message ${messageId}`);
  return toMessageView(message);
}

export async function listChats(
  deps: Pick<Deps, 'repos'>,
  tenantId: string,
  sessionId: string,
  page: PageRequest,
): Promise<Page<ChatView>> {
  await loadSession(deps, tenantId, sessionId);
  const chats = await deps.repos.chats.listByActivity(sessionId, page);
  const named = await Promise.all(chats.items.map((chat) => namedChat(deps.repos.groups, chat)));
  return mapPage({ ...chats, items: named }, toChatView);
}
