/**
 * Host request/reply, the host side (docs/credentials-and-commands.md, "Host requests"): a `host.request`
 * command is done on the session's open socket and its reply stored under the request id for the waiting API.
 * A request for a session this host does not run, or whose socket is not open, is answered
 * `session-not-connected` at once so the API need not wait for its deadline; one past its deadline is dropped
 * (nobody waits for it any more). What WhatsApp refuses is answered `whatsapp-error` with its message.
 */
import type { WASocket } from '@whiskeysockets/baileys';
import type { HostCommandOf } from '../../shared/contracts/host-command.js';
import type { HostReply, HostRequest } from '../../shared/contracts/host-request.js';
import type { HostReplyStore } from '../../shared/ports/host-reply-store.js';
import { errorFields, type HostLogger } from '../logger.js';
import { fetchBlocklist, fetchContactProfile, updateBlock } from './contact-profile.js';
import { modifyChat } from './chat-modify.js';
import { checkContacts } from './contacts-check.js';
import { GroupRequests } from './groups.js';
import { sendChatState, setPresence, subscribePresence } from './presence.js';

/** A reply outlives its request's wait by this much; then DynamoDB's TTL removes it. */
export const HOST_REPLY_TTL_SECONDS = 300;

/** What a request needs of the session it is for. */
export interface RequestTarget {
  readonly socket: WASocket | undefined;
  readonly connected: boolean;
  /** Told of each presence subscription made, so it is made again after a reconnect (WhatsApp forgets it). */
  rememberPresenceSubscription?(jid: string): void;
}

export interface HostRequestsDeps {
  readonly replies: Pick<HostReplyStore, 'put'>;
  readonly log: HostLogger;
  readonly now?: () => number;
}

export class HostRequests {
  constructor(private readonly deps: HostRequestsDeps) {}

  /** Answers `command` (never throws; a reply that cannot be stored is logged and the API times out). */
  async handle(target: RequestTarget | undefined, command: HostCommandOf<'host.request'>): Promise<void> {
    const { log } = this.deps;
    const fields = { sessionId: command.sessionId, requestId: command.requestId, kind: command.request.kind };
    if (Date.parse(command.deadline) <= this.now()) {
      log.info('host request past its deadline dropped', fields);
      return;
    }
    const socket = target?.connected ? target.socket : undefined;
    let reply: HostReply;
    if (!socket) {
      reply = {
        ok: false,
        error: { code: 'session-not-connected', message: 'The session is not connected on its host' },
      };
    } else {
      try {
        reply = { ok: true, result: await this.perform(socket, command.request) };
        if (command.request.kind === 'presence.subscribe') {
          target?.rememberPresenceSubscription?.(command.request.jid);
        }
      } catch (error) {
        log.warn('host request failed', { ...fields, ...errorFields(error) });
        const waCode = waCodeOf(error);
        reply = {
          ok: false,
          error: { code: 'whatsapp-error', message: messageOf(error), ...(waCode ? { waCode } : {}) },
        };
      }
    }
    try {
      await this.deps.replies.put(command.requestId, command.sessionId, reply, HOST_REPLY_TTL_SECONDS);
    } catch (error) {
      log.warn('host reply not stored', { ...fields, ...errorFields(error) });
    }
  }

  private perform(socket: WASocket, request: HostRequest): Promise<unknown> {
    switch (request.kind) {
      case 'contacts.check':
        return checkContacts(socket, request);
      case 'presence.set':
        return setPresence(socket, request);
      case 'chat.typing':
        return sendChatState(socket, request);
      case 'presence.subscribe':
        return subscribePresence(socket, request);
      case 'contacts.profile':
        return fetchContactProfile(socket, request);
      case 'contacts.block':
        return updateBlock(socket, request);
      case 'contacts.blocklist':
        return fetchBlocklist(socket);
      case 'chat.modify':
        return modifyChat(socket, request);
      default:
        return new GroupRequests(socket).perform(request);
    }
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }
}

/** An IQ error's code: Baileys' Boom carries it in `data` (or as the status code of group metadata errors). */
function waCodeOf(error: unknown): number | undefined {
  const { data, output } = error as { data?: unknown; output?: { statusCode?: unknown } };
  if (typeof data === 'number' && Number.isInteger(data)) return data;
  const status = output?.statusCode;
  return typeof status === 'number' && status !== 500 ? status : undefined;
}

/** WhatsApp's words for the tenant, bounded (Baileys' Boom errors carry the stanza's error text). */
function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.slice(0, 500) || 'WhatsApp failed the request';
}
