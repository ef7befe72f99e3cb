/**
 * Chat state from WhatsApp's app state (docs/api.md, "Chat state"): Baileys decodes the syncd patches the
 * account's devices make (the phone's, and this socket's own `chat.modify`) and reports them as `chats.update`
 * with `archived`, `pinned`, `muteEndTime` and, for "Mark as (un)read", `unreadCount` -1 / 0. The stored chat
 * takes the flags and `chat.updated` goes on the bus. Only chats the session already has are updated (the chats
 * list is built from messages); a patch for any other chat is dropped.
 */
import type { BaileysEventMap, WASocket } from '@whiskeysockets/baileys';
import type { ChatStateChange } from '../shared/domain/chat.js';
import { lidOfJid } from '../shared/domain/contact-id.js';
import { nowIso } from '../shared/domain/ids.js';
import { phoneToJid } from '../shared/domain/phone.js';
import type { ChatRepository } from '../shared/ports/chat-repository.js';
import type { EventBus } from '../shared/ports/event-bus.js';
import type { LidMappingRepository } from '../shared/ports/lid-mapping-repository.js';
import { errorFields, type HostLogger } from './logger.js';
import { publishChatUpdated } from './messaging/chat-updated.js';

export interface ChatStateEventsDeps {
  readonly sessionId: string;
  readonly chats: Pick<ChatRepository, 'get' | 'setState'>;
  readonly events: EventBus;
  /** A patch naming a chat by LID finds the chat stored under the contact's number. */
  readonly lidMappings?: Pick<LidMappingRepository, 'phoneFor'>;
  readonly log: HostLogger;
}

type ChatUpdate = BaileysEventMap['chats.update'][number];

/** Stores and publishes the socket's chat-state changes until the socket ends. */
export function watchChatState(socket: Pick<WASocket, 'ev'>, deps: ChatStateEventsDeps): void {
  socket.ev.on('chats.update', (updates) => {
    for (const update of updates) {
      apply(update, deps).catch((error: unknown) =>
        deps.log.warn('chat state not stored', { sessionId: deps.sessionId, ...errorFields(error) }),
      );
    }
  });
}

/** The flags a `chats.update` carries; null when it carries none (an unread count from a new message). */
export function chatStateChange(update: Partial<ChatUpdate>): ChatStateChange | null {
  const change: { -readonly [K in keyof ChatStateChange]: ChatStateChange[K] } = {};
  if (typeof update.archived === 'boolean') change.archived = update.archived;
  if (update.pinned !== undefined) change.pinned = update.pinned !== null && update.pinned !== 0;
  if (update.muteEndTime !== undefined) {
    const end = update.muteEndTime === null ? null : Number(update.muteEndTime);
    change.muted = end !== null;
    change.mutedUntil = end !== null && end > 0 ? nowIso(new Date(end)) : null;
  }
  if (update.unreadCount === -1) change.unread = true;
  if (update.unreadCount === 0) change.unread = false;
  return Object.keys(change).length > 0 ? change : null;
}

async function apply(update: ChatUpdate, deps: ChatStateEventsDeps): Promise<void> {
  const change = chatStateChange(update);
  if (!change || !update.id) return;
  const chatJid = await storedChatJid(update.id, deps);
  const chat = await deps.chats.setState(deps.sessionId, chatJid, change);
  if (!chat) {
    deps.log.info('chat state for a chat the session does not have dropped', { sessionId: deps.sessionId });
    return;
  }
  publishChatUpdated(deps, chat);
}

/** A LID chat is stored under the contact's number when the session knows it and has that chat. */
async function storedChatJid(jid: string, deps: ChatStateEventsDeps): Promise<string> {
  const lid = lidOfJid(jid);
  if (!lid) return jid.replace(/:\d+@/, '@');
  if (await deps.chats.get(deps.sessionId, jid)) return jid;
  const phone = await deps.lidMappings?.phoneFor(deps.sessionId, lid).catch(() => null);
  return phone ? phoneToJid(phone) : jid;
}
