/**
 * Incoming calls (docs/events-and-webhooks.md, `call.received`): each offer Baileys reports is published; when
 * the session's `rejectCalls` setting is on (read from the session item at each call, so a change applies to
 * the next one) the host rejects it at once (Baileys `rejectCall`) and queues the setting's `reply` to the caller
 * as an ordinary send (it goes through the send pipeline, its history and its events). Only the offer is acted
 * on; the later call states (timeout, terminate, reject) are not events.
 *
 * Today's server calls from the caller's LID, usually with its number (`caller_pn`). Without it the number comes
 * from the session's learned LID mappings; a caller whose number stays unknown (LID-only) is answered at its LID
 * jid, in the chat named by it (`lid:<digits>`), as its inbound messages are.
 */
import type { BaileysEventMap, WASocket } from '@whiskeysockets/baileys';
import { lidOfJid, lidToJid, type ContactId } from '../shared/domain/contact-id.js';
import { makeEvent } from '../shared/domain/events.js';
import { newId, nowIso } from '../shared/domain/ids.js';
import { jidToPhone, phoneToJid } from '../shared/domain/phone.js';
import type { EventBus } from '../shared/ports/event-bus.js';
import type { LidMappingRepository } from '../shared/ports/lid-mapping-repository.js';
import type { MessageRepository } from '../shared/ports/message-repository.js';
import type { SessionRepository } from '../shared/ports/session-repository.js';
import { errorFields, type HostLogger } from './logger.js';

type Call = BaileysEventMap['call'][number];

export interface CallWatchDeps {
  readonly tenantId: string;
  readonly sessionId: string;
  readonly sessions: Pick<SessionRepository, 'getById'>;
  readonly messages: Pick<MessageRepository, 'create'>;
  readonly events: EventBus;
  /** Names a caller that called from its LID without its number, when the session learned the number. */
  readonly lidMappings?: Pick<LidMappingRepository, 'phoneFor'>;
  /** Rings the session's sender for a message just queued. */
  readonly ring: (messageId: string) => void;
  readonly log: HostLogger;
}

export function watchCalls(socket: Pick<WASocket, 'ev' | 'rejectCall'>, deps: CallWatchDeps): void {
  socket.ev.on('call', (calls) => {
    for (const call of calls) {
      if (call.status !== 'offer') continue;
      onOffer(socket, call, deps).catch((error: unknown) =>
        deps.log.warn('incoming call not handled', { callId: call.id, ...errorFields(error) }),
      );
    }
  });
}

async function onOffer(socket: Pick<WASocket, 'rejectCall'>, call: Call, deps: CallWatchDeps): Promise<void> {
  const from = await callerOf(call, deps);
  const settings = (await deps.sessions.getById(deps.sessionId))?.rejectCalls;
  let rejected = false;
  let replied = false;
  if (settings?.enabled) {
    await socket.rejectCall(call.id, call.from);
    rejected = true;
    if (settings.reply) replied = await queueReply(deps, from, settings.reply);
  }
  await deps.events.publish([
    makeEvent('call.received', {
      tenantId: deps.tenantId,
      sessionId: deps.sessionId,
      data: {
        callId: call.id,
        from,
        video: call.isVideo === true,
        group: call.isGroup === true,
        at: nowIso(call.date),
        rejected,
        replied,
      },
    }),
  ]);
}

/** The caller by number and/or LID (today's server calls from LIDs, mostly with `caller_pn`). */
async function callerOf(call: Call, deps: CallWatchDeps): Promise<ContactId> {
  const lid = lidOfJid(call.from);
  const phone =
    jidToPhone(call.from) ??
    (call.callerPn ? jidToPhone(call.callerPn) : null) ??
    (lid ? await deps.lidMappings?.phoneFor(deps.sessionId, lid).catch(() => null) : null);
  return { ...(phone ? { phone } : {}), ...(lid ? { lid } : {}) };
}

/**
 * The reply as a queued send: to the caller's number (the send pipeline addresses its LID when WhatsApp wants
 * that), else to its LID jid (a message without `to`, which only the host makes).
 */
async function queueReply(deps: CallWatchDeps, from: ContactId, text: string): Promise<boolean> {
  const recipient = from.phone
    ? { chatJid: phoneToJid(from.phone), to: from.phone }
    : from.lid
      ? { chatJid: lidToJid(from.lid) }
      : undefined;
  if (!recipient) return false;
  const at = nowIso();
  const id = newId();
  await deps.messages.create({
    id,
    tenantId: deps.tenantId,
    sessionId: deps.sessionId,
    direction: 'outbound',
    ...recipient,
    type: 'text',
    content: { type: 'text', text: { body: text } },
    status: 'queued',
    statusHistory: [{ status: 'queued', at }],
    metadata: { reason: 'call-rejected' },
    createdAt: at,
    updatedAt: at,
  });
  deps.ring(id);
  return true;
}
