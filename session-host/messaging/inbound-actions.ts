/**
 * The contact's edits, revokes and poll votes (docs/messaging.md, "Edits, revokes and polls"). They arrive in
 * `messages.upsert` as protocol traffic, not as messages: an edit or a revoke is a `protocolMessage` naming the
 * target's WhatsApp id, a vote a `pollUpdateMessage` encrypted with the poll's message secret. Each changes the
 * stored target (message-updates.ts) instead of being stored itself.
 *
 * - An edit or revoke is honoured only from the target's own author: an inbound message of the same chat (and
 *   sender, in a group). Anything else is logged and dropped: a contact cannot rewrite our messages.
 * - Our own edit or revoke (`fromMe`) changes an outbound message of the same chat: the account's phone made it
 *   (linked devices get a copy of what the phone sends). The echo of an edit or revoke this host sent is one too,
 *   but it is a stored message of its own (applied when it was sent, own-actions.ts), so it is skipped.
 * - A vote is decrypted here (Baileys rc14 has the decryption commented out of its own flow): the secret is the
 *   `messageSecret` of the poll proto we sent, kept on the poll's message item for retry receipts (`sentProto`,
 *   protected at rest like the media keys in it; docs/data-model.md), or, for a poll a contact sent, the one its
 *   message carried (kept when it was received), the creator then being the contact. The HMAC binds the poll creator's and the
 *   voter's jids, which WhatsApp writes as phone-number or LID jids depending on the chat's addressing, so each
 *   known pair is tried; AES-GCM authenticates, so a wrong pair fails and never yields a wrong vote.
 */
import { createHash } from 'node:crypto';
import type { WAMessage, WASocket } from '@whiskeysockets/baileys';
import { decryptPollVote, jidNormalizedUser, normalizeMessageContent, proto } from '@whiskeysockets/baileys';
import { nowIso } from '../../shared/domain/ids.js';
import type { ContactId } from '../../shared/domain/contact-id.js';
import type { Message } from '../../shared/domain/message.js';
import type { SessionLidMap } from '../compat/lid-map.js';
import { inboundParties } from '../compat/lid-sender.js';
import type { AttachedSession, MessagingDeps } from './deps.js';
import { MessageUpdates } from './message-updates.js';

type Action =
  | { readonly kind: 'edit'; readonly targetWaId: string; readonly body: string | undefined }
  | { readonly kind: 'revoke'; readonly targetWaId: string }
  | { readonly kind: 'vote'; readonly targetWaId: string; readonly vote: proto.Message.IPollUpdateMessage };

/** The action `raw` carries, if it is one. */
export function inboundActionOf(raw: proto.IMessage | null | undefined): Action | null {
  const message = normalizeMessageContent(raw);
  const protocol = message?.protocolMessage;
  const targetWaId = protocol?.key?.id;
  if (protocol && targetWaId) {
    if (protocol.type === proto.Message.ProtocolMessage.Type.REVOKE) return { kind: 'revoke', targetWaId };
    if (protocol.type === proto.Message.ProtocolMessage.Type.MESSAGE_EDIT) {
      const edited = normalizeMessageContent(protocol.editedMessage);
      const body = edited?.conversation ?? edited?.extendedTextMessage?.text ?? undefined;
      return { kind: 'edit', targetWaId, body: body ?? undefined };
    }
  }
  const vote = message?.pollUpdateMessage;
  const pollId = vote?.pollCreationMessageKey?.id;
  if (vote && pollId) return { kind: 'vote', targetWaId: pollId, vote };
  return null;
}

export class InboundActions {
  readonly #updates: MessageUpdates;

  constructor(
    private readonly deps: MessagingDeps,
    private readonly session: AttachedSession,
    private readonly lidMap: SessionLidMap,
  ) {
    this.#updates = new MessageUpdates(deps);
  }

  async apply(m: WAMessage, action: Action): Promise<void> {
    const { sessionId } = this.session;
    const target = await this.deps.messages.findByWaMessageId(sessionId, action.targetWaId);
    const parties = await inboundParties(this.lidMap, m.key);
    const drop = (reason: string): void =>
      this.deps.log.info(`inbound ${action.kind} ignored: ${reason}`, { sessionId, waMessageId: m.key.id });
    if (!target || target.tenantId !== this.session.tenantId) return drop('unknown target');
    if (target.chatJid !== parties.chatJid) return drop('target in another chat');
    if (m.key.fromMe) return this.#applyOwn(m, action, target, drop);
    const from = parties.from;

    if (action.kind === 'vote') {
      if (target.content.type !== 'poll') return drop('not a poll');
      const voter = voterOf(from);
      if (!voter) return drop('voter unknown');
      const selected = await this.#decryptVote(m, target, action, target.content.poll.options);
      if (!selected) return drop('vote not decryptable');
      await this.#updates.vote(target, voter, selected);
      return;
    }
    // Only the author may edit or revoke: an inbound message from the same sender.
    if (target.direction !== 'inbound' || (target.senderJid && target.senderJid !== parties.senderJid))
      return drop('not the author');
    const at = nowIso();
    const options = { at, ...(from !== undefined ? { from } : {}) };
    if (action.kind === 'revoke') await this.#updates.revoke(target, options);
    else if (action.body !== undefined) await this.#updates.edit(target, action.body, options);
    else drop('edit without text');
  }

  /** Our edit or revoke made on the account's phone: an outbound target; no `from` (the account did it). */
  async #applyOwn(
    m: WAMessage,
    action: Action,
    target: Message,
    drop: (reason: string) => void,
  ): Promise<void> {
    if (action.kind === 'vote') return drop('own vote');
    if (target.direction !== 'outbound') return drop('not ours');
    const ownRecord = m.key.id
      ? await this.deps.messages.findByWaMessageId(this.session.sessionId, m.key.id)
      : null;
    if (ownRecord) return; // the echo of our own send: applied when it was sent
    const options = { at: nowIso() };
    if (action.kind === 'revoke') await this.#updates.revoke(target, options);
    else if (action.body !== undefined) await this.#updates.edit(target, action.body, options);
    else drop('edit without text');
  }

  /** The secret kept before the poll's first send; else the one in the proto Baileys sent (older polls). */
  async #pollSecret(pollId: string, waMessageId: string): Promise<Uint8Array | null | undefined> {
    const kept = await this.deps.messages.findPollSecret(this.session.sessionId, pollId);
    if (kept) return kept;
    const sent = await this.deps.messages.findSentProto(this.session.sessionId, waMessageId);
    return sent ? proto.Message.decode(sent.proto).messageContextInfo?.messageSecret : null;
  }

  /** The option names chosen, or null when no key pair opens the vote. */
  async #decryptVote(
    m: WAMessage,
    poll: { readonly id: string; readonly direction: 'inbound' | 'outbound' },
    action: Extract<Action, { kind: 'vote' }>,
    options: readonly { name: string }[],
  ): Promise<string[] | null> {
    const pollId = poll.id;
    const encrypted = action.vote.vote;
    if (!encrypted?.encPayload || !encrypted.encIv) return null;
    const secret = await this.#pollSecret(pollId, action.targetWaId);
    if (!secret?.length) return null;
    // Our poll was created by our account; a contact's poll in a 1:1 chat, by the contact voting on it.
    const creators = poll.direction === 'outbound' ? ownJids(this.session.socket) : voterJids(m);
    for (const creator of creators) {
      for (const voter of voterJids(m)) {
        try {
          const vote = decryptPollVote(encrypted, {
            pollCreatorJid: creator,
            pollMsgId: action.targetWaId,
            pollEncKey: secret,
            voterJid: voter,
          });
          const chosen = new Set((vote.selectedOptions ?? []).map((h) => Buffer.from(h).toString('hex')));
          return options.filter((o) => chosen.has(optionHash(o.name))).map((o) => o.name);
        } catch {
          // Not this pair (the GCM tag did not check): try the next.
        }
      }
    }
    return null;
  }
}

/** WhatsApp names an option in a vote by the SHA-256 of its name. */
export function optionHash(name: string): string {
  return createHash('sha256').update(Buffer.from(name)).digest('hex');
}

function voterOf(from: ContactId | undefined): string | undefined {
  if (from?.phone) return from.phone;
  if (from?.lid) return `lid:${from.lid}`;
  return undefined;
}

function ownJids(socket: WASocket): string[] {
  const user = socket.user;
  return unique([user?.id, user?.lid]);
}

function voterJids(m: WAMessage): string[] {
  const k = m.key;
  return unique(k.participant ? [k.participant, k.participantAlt] : [k.remoteJid, k.remoteJidAlt]);
}

function unique(jids: (string | null | undefined)[]): string[] {
  return [...new Set(jids.filter((j): j is string => !!j).map((j) => jidNormalizedUser(j)))];
}
