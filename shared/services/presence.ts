/**
 * Presence use cases (docs/api.md, "Presence and typing"), each one host request on the session's socket:
 * the account online or offline, a chat state in a 1:1 chat, a subscription to a contact's presence (whose
 * updates then arrive as `presence.updated` events).
 */
import * as z from 'zod';
import { chatKeyToJid } from '../domain/contact-id.js';
import { phoneToJid, PhoneSchema } from '../domain/phone.js';
import type { ControlPlaneDeps } from './deps.js';
import { askHost } from './host-requests.js';
import { loadSession } from './sessions.js';

type Deps = Pick<
  ControlPlaneDeps,
  'repos' | 'doorbell' | 'hostReplies' | 'hostRequestWaitMs' | 'now' | 'sleep'
>;

export const SetPresenceRequestSchema = z.strictObject({
  presence: z
    .enum(['available', 'unavailable'])
    .describe('`available`: the account shows online to its contacts; `unavailable`: offline'),
});
export type SetPresenceRequest = z.infer<typeof SetPresenceRequestSchema>;

export const TypingRequestSchema = z.strictObject({
  state: z
    .enum(['composing', 'recording', 'paused'])
    .describe('`composing`: "typing..."; `recording`: "recording audio..."; `paused`: stop showing either'),
});
export type TypingRequest = z.infer<typeof TypingRequestSchema>;

export const PresenceViewSchema = z.object({ presence: z.enum(['available', 'unavailable']) });
export const TypingViewSchema = z.object({
  chat: z.string(),
  state: z.enum(['composing', 'recording', 'paused']),
});
export const PresenceSubscriptionViewSchema = z.object({ phone: PhoneSchema, subscribed: z.literal(true) });

export async function setPresence(
  deps: Deps,
  tenantId: string,
  sessionId: string,
  request: SetPresenceRequest,
): Promise<z.infer<typeof PresenceViewSchema>> {
  const session = await loadSession(deps, tenantId, sessionId);
  await askHost(deps, session, { kind: 'presence.set', presence: request.presence });
  return { presence: request.presence };
}

export async function sendTyping(
  deps: Deps,
  tenantId: string,
  sessionId: string,
  chatKey: string,
  request: TypingRequest,
): Promise<z.infer<typeof TypingViewSchema>> {
  const session = await loadSession(deps, tenantId, sessionId);
  await askHost(deps, session, { kind: 'chat.typing', jid: chatKeyToJid(chatKey), state: request.state });
  return { chat: chatKey, state: request.state };
}

export async function subscribePresence(
  deps: Deps,
  tenantId: string,
  sessionId: string,
  phone: string,
): Promise<z.infer<typeof PresenceSubscriptionViewSchema>> {
  const session = await loadSession(deps, tenantId, sessionId);
  await askHost(deps, session, { kind: 'presence.subscribe', jid: phoneToJid(phone) });
  return { phone, subscribed: true };
}
