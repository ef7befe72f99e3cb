/**
 * Chat state (docs/api.md, "Chat state"): archive, pin, mute and mark unread, through WhatsApp's app state. One
 * host request on the session's socket makes the patches (Baileys `chatModify`); WhatsApp syncs them to the
 * account's phone and other devices. The stored chat takes the flags here, so the answer shows them; the host
 * publishes `chat.updated` when Baileys reports the change (as it does for a change made on the phone).
 */
import * as z from 'zod';
import type { ChatStateChange } from '../domain/chat.js';
import { chatKeyToJid } from '../domain/contact-id.js';
import { NotFoundError, ValidationError } from '../domain/errors.js';
import type { ControlPlaneDeps } from './deps.js';
import { askHost } from './host-requests.js';
import { loadSession } from './sessions.js';
import { namedChat } from './chat-names.js';
import { toChatView, type ChatView } from './views.js';

type Deps = Pick<
  ControlPlaneDeps,
  'repos' | 'doorbell' | 'hostReplies' | 'hostRequestWaitMs' | 'now' | 'sleep'
>;

export const ChatStateRequestSchema = z
  .strictObject({
    archived: z.boolean().optional().describe('Archive (true) or unarchive (false) the chat'),
    pinned: z.boolean().optional().describe('Pin the chat to the top of the list, or unpin it'),
    muted: z
      .boolean()
      .optional()
      .describe('Mute (true; for ever unless `mutedUntil`) or unmute (false) the chat'),
    mutedUntil: z.iso
      .datetime()
      .optional()
      .describe('Mute until this time (in the future); implies `muted: true`'),
    unread: z.boolean().optional().describe('"Mark as unread" (true), or mark read again (false)'),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), {
    message: 'name at least one of archived, pinned, muted, mutedUntil, unread',
  })
  .refine((b) => !(b.muted === false && b.mutedUntil !== undefined), {
    message: 'mutedUntil cannot go with muted: false',
    path: ['mutedUntil'],
  });
export type ChatStateRequest = z.infer<typeof ChatStateRequestSchema>;

export async function updateChatState(
  deps: Deps,
  tenantId: string,
  sessionId: string,
  chatKey: string,
  request: ChatStateRequest,
): Promise<ChatView> {
  const session = await loadSession(deps, tenantId, sessionId);
  const chatJid = chatKeyToJid(chatKey);
  const chat = await deps.repos.chats.get(sessionId, chatJid);
  if (!chat || chat.tenantId !== tenantId) throw new NotFoundError(`No chat ${chatKey} in this session`);
  const muteEnd = muteEndOf(request, deps.now());
  await askHost(deps, session, {
    kind: 'chat.modify',
    jid: chatJid,
    ...(request.archived === undefined ? {} : { archived: request.archived }),
    ...(request.pinned === undefined ? {} : { pinned: request.pinned }),
    ...(muteEnd === undefined ? {} : { muteEndMs: muteEnd }),
    ...(request.unread === undefined ? {} : { unread: request.unread }),
  });
  const change: ChatStateChange = {
    ...(request.archived === undefined ? {} : { archived: request.archived }),
    ...(request.pinned === undefined ? {} : { pinned: request.pinned }),
    ...(muteEnd === undefined
      ? {}
      : { muted: muteEnd !== null, mutedUntil: muteEnd !== null && muteEnd > 0 ? request.mutedUntil : null }),
    ...(request.unread === undefined ? {} : { unread: request.unread }),
  };
  const updated = await deps.repos.chats.setState(sessionId, chatJid, change);
  if (!updated) throw new NotFoundError(`No chat ${chatKey} in this session`);
  return toChatView(await namedChat(deps.repos.groups, updated));
}

/** WhatsApp's mute end: ms since the epoch, -1 for ever, null to unmute; undefined when the mute is not touched. */
function muteEndOf(request: ChatStateRequest, now: number): number | null | undefined {
  if (request.mutedUntil !== undefined) {
    const end = Date.parse(request.mutedUntil);
    if (end <= now) {
      throw new ValidationError([
        { location: 'body', pointer: '/mutedUntil', message: 'must be in the future' },
      ]);
    }
    return end;
  }
  if (request.muted === undefined) return undefined;
  return request.muted ? -1 : null;
}
