/**
 * The API's write of a send, for benchmarks that drive the host from outside: a `queued` message item, then the
 * doorbell on the queue of the owner the session item names (as `shared/services/messages.ts` does).
 */
import type { HostDoorbell } from '../../shared/services/host-doorbell.js';
import { newId, nowIso } from '../../shared/domain/ids.js';
import type { Message } from '../../shared/domain/message.js';
import { phoneToJid } from '../../shared/domain/phone.js';
import type { CloudWorld } from './world.js';

export async function enqueueText(
  cloud: CloudWorld,
  doorbell: Pick<HostDoorbell, 'ring'>,
  ids: { sessionId: string; tenantId: string },
  to: string,
  text: string,
): Promise<Message> {
  const at = nowIso();
  const message: Message = {
    id: newId(),
    tenantId: ids.tenantId,
    sessionId: ids.sessionId,
    direction: 'outbound',
    chatJid: phoneToJid(to),
    to,
    type: 'text',
    content: { type: 'text', text: { body: text } },
    status: 'queued',
    statusHistory: [{ status: 'queued', at }],
    createdAt: at,
    updatedAt: at,
  };
  await cloud.adapters.messages.create(message);
  const session = await cloud.adapters.sessions.getById(ids.sessionId);
  if (session) {
    await doorbell.ring(session, {
      type: 'message.send',
      tenantId: ids.tenantId,
      sessionId: ids.sessionId,
      messageId: message.id,
      sentAt: at,
    });
  }
  return message;
}
