/**
 * Edit and revoke our own messages (issue #15; docs/api.md, "Edit and revoke"). Each action is an outbound
 * message record of its own (`type: "edit"` / `"revoke"`, message-actions.ts in the domain) queued through the
 * same durable write as a send: same rate limit, same `Idempotency-Key` handling, same doorbell and backlog. The
 * host applies it to the target once WhatsApp accepted it, and publishes `message.edited` / `message.revoked`.
 */
import { NotFoundError } from '../domain/errors.js';
import { newId, nowIso } from '../domain/ids.js';
import { withinEditWindow, type EditMessageRequest } from '../domain/message-actions.js';
import type { Message, MessageContent, SendMessageResponse } from '../domain/message.js';
import type { Session } from '../domain/session.js';
import type { Tenant } from '../domain/tenant.js';
import type { ControlPlaneDeps } from './deps.js';
import {
  EditWindowPassedError,
  MessageNotActionableError,
  NotOwnMessageError,
} from './message-action-errors.js';
import { assertRunning, queueOutbound } from './messages.js';

export interface MessageActionInput {
  readonly tenant: Tenant;
  readonly sessionId: string;
  readonly messageId: string;
  readonly idempotencyKey?: string;
}

export async function editMessage(
  deps: ControlPlaneDeps,
  input: MessageActionInput & { readonly request: EditMessageRequest },
): Promise<SendMessageResponse> {
  const { session, target } = await loadTarget(deps, input);
  assertOwnSent(target, 'edit');
  if (target.content.type !== 'text')
    throw new MessageNotActionableError(
      `Message ${target.id} is not a text message; only text can be edited`,
    );
  if (!withinEditWindow(sentAtOf(target), deps.now()))
    throw new EditWindowPassedError(
      `Message ${target.id} was sent more than 15 minutes ago; WhatsApp no longer accepts edits of it`,
    );
  return queueAction(deps, input, session, target, {
    type: 'edit',
    edit: { messageId: target.id, body: input.request.text },
  });
}

export async function revokeMessage(
  deps: ControlPlaneDeps,
  input: MessageActionInput,
): Promise<SendMessageResponse> {
  const { session, target } = await loadTarget(deps, input);
  assertOwnSent(target, 'revoke');
  return queueAction(deps, input, session, target, { type: 'revoke', revoke: { messageId: target.id } });
}

async function loadTarget(
  deps: ControlPlaneDeps,
  input: MessageActionInput,
): Promise<{ session: Session; target: Message }> {
  const session = await deps.repos.sessions.get(input.tenant.id, input.sessionId);
  if (!session) throw new NotFoundError(`No session ${input.sessionId}`);
  const target = await deps.repos.messages.get(input.sessionId, input.messageId);
  // Another tenant's message is not found: its existence is not revealed.
  if (!target || target.tenantId !== input.tenant.id)
    throw new NotFoundError(`No message ${input.messageId}`);
  assertRunning(session);
  return { session, target };
}

function assertOwnSent(target: Message, action: 'edit' | 'revoke'): void {
  if (target.direction !== 'outbound')
    throw new NotOwnMessageError(
      `Message ${target.id} was sent by the contact; only our own can be ${action}ed`,
    );
  if (target.type === 'edit' || target.type === 'revoke')
    throw new MessageNotActionableError(`Message ${target.id} is itself an ${target.type}`);
  if (target.revoked) throw new MessageNotActionableError(`Message ${target.id} is already revoked`);
  if (target.waMessageId === undefined || !['sent', 'delivered', 'read'].includes(target.status))
    throw new MessageNotActionableError(
      `Message ${target.id} is ${target.status}; only a message WhatsApp accepted can be ${action}ed`,
    );
}

/** When WhatsApp accepted it: the `sent` entry of its history (the window runs from there). */
function sentAtOf(target: Message): string {
  return target.statusHistory.find((s) => s.status === 'sent')?.at ?? target.createdAt;
}

async function queueAction(
  deps: ControlPlaneDeps,
  input: MessageActionInput,
  session: Session,
  target: Message,
  content: Extract<MessageContent, { type: 'edit' | 'revoke' }>,
): Promise<SendMessageResponse> {
  const now = deps.now();
  const at = nowIso(new Date(now));
  const message: Message = {
    id: newId(now),
    tenantId: input.tenant.id,
    sessionId: input.sessionId,
    direction: 'outbound',
    chatJid: target.chatJid,
    ...(target.to === undefined ? {} : { to: target.to }),
    type: content.type,
    content,
    status: 'queued',
    statusHistory: [{ status: 'queued', at }],
    createdAt: at,
    updatedAt: at,
  };
  const { id, status } = await queueOutbound(deps, {
    tenant: input.tenant,
    message,
    chatPreview: false,
    fingerprintPath: `POST /v1/sessions/${input.sessionId}/messages/${input.messageId}/${content.type}`,
    fingerprintBody: content,
    sessionRead: Promise.resolve(session),
    ...(input.idempotencyKey === undefined ? {} : { idempotencyKey: input.idempotencyKey }),
  });
  return { id, status };
}
