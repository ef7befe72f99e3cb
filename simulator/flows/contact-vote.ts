import { createHash, randomBytes } from 'node:crypto';
import { aesEncryptGCM, hmacSign, proto } from '@whiskeysockets/baileys';
import { SimulatorError } from '../errors.js';
import type { Account, Contact, OutboxEntry } from '../world/types.js';
import { lidJid, pnJid } from '../world/world.js';
import type { SimContext } from './context.js';
import { contactSendsMessage } from './receive.js';

/**
 * A contact votes on a poll an account sent it (or changes its vote; no options withdraws it). The vote is
 * encrypted as WhatsApp clients do (Baileys' `decryptPollVote` is the inverse): AES-256-GCM under a key derived
 * from the poll's `messageSecret` by HMAC-SHA256, bound to the poll's id, its creator's jid and the voter's jid,
 * the options named by the SHA-256 of their text. The voter's jid is the one the chat addresses the contact by
 * (its LID once it is LID-addressed); the creator is the account's phone-number jid, or, on a poll the contact
 * sent itself, the contact's own jid (its phone kept the secret).
 */
export const contactVotes = async (
  ctx: SimContext,
  contact: Contact,
  account: Account,
  pollId: string,
  chosen: string[],
): Promise<OutboxEntry> => {
  const target = votedPoll(ctx, contact, account, pollId);
  const { secret, names } = target;
  const unknown = chosen.find((c) => !names.includes(c));
  if (unknown !== undefined)
    throw new SimulatorError(400, 'unknown_option', `the poll has no option "${unknown}"`);

  const voterJid = contact.addressing === 'lid' ? lidJid(contact.lid) : pnJid(contact.phone);
  // The creator as the voter's side names it: the account's phone-number jid, or the contact itself.
  const creatorJid = target.own ? voterJid : pnJid(account.phone);
  const sign = Buffer.concat([
    Buffer.from(pollId),
    Buffer.from(creatorJid),
    Buffer.from(voterJid),
    Buffer.from('Poll Vote'),
    new Uint8Array([1]),
  ]);
  const key0 = hmacSign(secret, new Uint8Array(32), 'sha256');
  const key = hmacSign(sign, key0, 'sha256');
  const iv = randomBytes(12);
  const vote = proto.Message.PollVoteMessage.encode({
    selectedOptions: chosen.map((c) => createHash('sha256').update(Buffer.from(c)).digest()),
  }).finish();
  const encPayload = aesEncryptGCM(vote, key, iv, Buffer.from(`${pollId}\u0000${voterJid}`));
  return contactSendsMessage(
    ctx,
    contact,
    account,
    {
      pollUpdateMessage: {
        pollCreationMessageKey: { remoteJid: pnJid(account.phone), fromMe: target.own, id: pollId },
        vote: { encPayload, encIv: iv },
        senderTimestampMs: Date.now(),
      },
    },
    { type: 'other', text: chosen.join(', ') },
    'poll',
  );
};

/** The poll `pollId`: one the account sent the contact (in its inbox), or one the contact sent the account. */
const votedPoll = (
  ctx: SimContext,
  contact: Contact,
  account: Account,
  pollId: string,
): { secret: Uint8Array; names: string[]; own: boolean } => {
  const own = ctx.world.contactPolls.get(pollId);
  if (own?.contact === contact.phone) return { secret: own.secret, names: own.options, own: true };
  const entry = contact.inbox.find(
    (e) => e.id === pollId && e.type === 'poll' && e.from.split(/[:@]/)[0] === account.phone,
  );
  if (!entry) throw new SimulatorError(404, 'unknown_poll', `no poll ${pollId} from ${account.phone}`);
  const message = proto.Message.fromObject(entry.content);
  const secret = message.messageContextInfo?.messageSecret;
  const creation =
    message.pollCreationMessage ??
    message.pollCreationMessageV2 ??
    message.pollCreationMessageV3 ??
    undefined;
  if (!secret?.length || !creation)
    throw new SimulatorError(409, 'not_a_poll', `message ${pollId} is no poll`);
  return { secret, names: (creation.options ?? []).map((o) => o.optionName ?? ''), own: false };
};
