/**
 * Retry receipts (docs/whatsapp-compatibility.md, dossier item 5). A contact's phone that cannot decrypt a
 * message asks the sender's device to send it again: `<receipt type="retry">` with the retry count and its
 * registration id, and from count 2 on its prekey bundle in `<keys>`, so the sender can start a fresh Signal
 * session. The resend must come under the same message id; the phone then shows the message. Today's server
 * relays the receipt from the contact's LID device once the chat is LID-addressed (the legacy switch
 * `no-lid-retry-receipts` brings back the phone-number jid).
 */
import { Curve, KEY_BUNDLE_TYPE, proto } from '@whiskeysockets/baileys';
import { z } from 'zod';
import { node, nowSeconds, uintBE } from '../wire/nodes.js';
import type { BinaryNode } from '../wire/nodes.js';
import type { Account, Contact } from '../world/types.js';
import { lidJid, pnJid } from '../world/world.js';
import { pushToDevice } from './context.js';
import type { SimContext } from './context.js';

/** WhatsApp stops asking after this many tries. */
const MAX_RETRY_COUNT = 5;

/** Which jid the receipt comes from: the contact's phone number or its LID (device 0 either way). */
export const retryAddressingSchema = z.enum(['pn', 'lid']);
export type RetryAddressing = z.infer<typeof retryAddressingSchema>;

export const decryptFailureSchema = z
  .object({
    /** The account whose next messages the contact's phone fails to decrypt. */
    from: z.string().regex(/^\+?\d{6,15}$/),
    /** How many messages (or resends) in a row fail. */
    count: z.number().int().positive().max(10).default(1),
    /** The receipt's sender; the server's default (LID today, PN with `no-lid-retry-receipts`) when unset. */
    addressing: retryAddressingSchema.optional(),
    /** Without a resend for this long after retry count 1, the phone asks again with count 2 and its keys. */
    resendTimeoutMs: z.number().int().positive().max(60_000).default(2_000),
  })
  .strict();
export type DecryptFailureInput = z.input<typeof decryptFailureSchema>;

export const retryReceiptSchema = z
  .object({
    /** The account the receipt goes to (all its companions; queued for offline ones). */
    to: z.string().regex(/^\+?\d{6,15}$/),
    messageId: z.string().min(1).max(128),
    count: z.number().int().min(1).max(MAX_RETRY_COUNT).default(1),
    addressing: retryAddressingSchema.optional(),
    /** Attach the prekey bundle (`<keys>`); by default from count 2 on, as the phone does. */
    withKeys: z.boolean().optional(),
  })
  .strict();
export type RetryReceiptInput = z.input<typeof retryReceiptSchema>;

interface FailurePlan {
  remaining: number;
  addressing: RetryAddressing | undefined;
  resendTimeoutMs: number;
}

/** A message the contact asked to have resent, until the resend arrives. */
interface PendingRetry {
  /** The count of the last receipt sent for it. */
  count: number;
  timer?: NodeJS.Timeout;
}

interface RetryState {
  /** By account phone. */
  failures: Map<string, FailurePlan>;
  /** By message id. */
  pending: Map<string, PendingRetry>;
  /** By message id: retry receipts sent for copies the phone really could not decrypt (`phoneFailedToDecrypt`). */
  undecryptable: Map<string, number>;
}

const states = new WeakMap<Contact, RetryState>();

const stateOf = (contact: Contact): RetryState => {
  let state = states.get(contact);
  if (!state) {
    state = { failures: new Map(), pending: new Map(), undecryptable: new Map() };
    states.set(contact, state);
  }
  return state;
};

/** The contact's phone fails to decrypt the next `count` messages (first sends or resends) from `account`. */
export const failNextDecryptions = (
  contact: Contact,
  account: Account,
  input: DecryptFailureInput,
): { contact: string; account: string; remaining: number } => {
  const plan = decryptFailureSchema.parse(input);
  stateOf(contact).failures.set(account.phone, {
    remaining: plan.count,
    addressing: plan.addressing,
    resendTimeoutMs: plan.resendTimeoutMs,
  });
  return { contact: contact.phone, account: account.phone, remaining: plan.count };
};

/**
 * Called for each copy of a companion's message addressed to a contact's phone, before it is decrypted.
 * Returns true when the phone "failed to decrypt" it (and sent a retry receipt instead): the caller then drops
 * the copy. A copy answering a pending retry is reported as a `retry-resend`.
 */
export const interceptContactCopy = (
  ctx: SimContext,
  contact: Contact,
  account: Account,
  message: BinaryNode,
  enc: BinaryNode,
): boolean => {
  const id = message.attrs.id ?? '';
  const state = stateOf(contact);
  const pending = state.pending.get(id);
  if (pending) {
    clearTimeout(pending.timer);
    state.pending.delete(id);
    const encCount = Number(enc.attrs.count ?? 0);
    ctx.events.emit('retry-resend', {
      contact: contact.phone,
      phone: account.phone,
      id,
      retryCount: pending.count,
      ...(encCount > 0 ? { encCount } : {}),
    });
  }
  const plan = state.failures.get(account.phone);
  if (!plan || plan.remaining <= 0) return false;
  plan.remaining -= 1;
  if (plan.remaining <= 0) state.failures.delete(account.phone);
  const count = (pending?.count ?? 0) + 1;
  // The phone gives up; the message stays "waiting for this message".
  if (count > MAX_RETRY_COUNT) return true;
  ctx.log('contact failed to decrypt; asking for a resend', { contact: contact.phone, id, count });
  sendRetryReceipt(ctx, contact, account, { to: account.phone, messageId: id, count, ...addressing(plan) });
  if (count === 1) {
    // A phone that gets no resend asks once more, now with its keys (the sender may have lost the session).
    const next = stateOf(contact).pending.get(id);
    if (next) {
      next.timer = setTimeout(() => {
        if (stateOf(contact).pending.get(id) !== next) return;
        sendRetryReceipt(ctx, contact, account, {
          to: account.phone,
          messageId: id,
          count: 2,
          ...addressing(plan),
        });
      }, plan.resendTimeoutMs);
      next.timer.unref();
    }
  }
  return true;
};

/**
 * A copy the contact's phone really could not decrypt (a pkmsg naming a one-time prekey it no longer has, a
 * broken session): as a real phone does, it asks for the message again, from count 2 on with its keys so the
 * sender can start a new session, and gives up after `MAX_RETRY_COUNT`. The server had acked the message, so
 * without this the copy would be lost.
 */
export const phoneFailedToDecrypt = (
  ctx: SimContext,
  contact: Contact,
  account: Account,
  messageId: string,
  error: unknown,
): void => {
  const { undecryptable } = stateOf(contact);
  const count = (undecryptable.get(messageId) ?? 0) + 1;
  ctx.log('contact could not decrypt a message', {
    contact: contact.phone,
    from: account.phone,
    id: messageId,
    count,
    error: error instanceof Error ? error.message : String(error),
  });
  if (count > MAX_RETRY_COUNT) return;
  undecryptable.set(messageId, count);
  sendRetryReceipt(ctx, contact, account, { to: account.phone, messageId, count });
};

/** A copy the phone could decrypt (a resend after `phoneFailedToDecrypt`): its retry count is done with. */
export const phoneDecrypted = (contact: Contact, messageId: string): void => {
  states.get(contact)?.undecryptable.delete(messageId);
};

const addressing = (plan: FailurePlan): { addressing?: RetryAddressing } =>
  plan.addressing ? { addressing: plan.addressing } : {};

/**
 * The contact's phone sends a retry receipt for `messageId` to every companion of the account (any id: also one
 * of a message days old, as phones do after a long time offline). A resend that follows is reported as a
 * `retry-resend` event and lands in the inbox like any message.
 */
export const sendRetryReceipt = (
  ctx: SimContext,
  contact: Contact,
  account: Account,
  input: RetryReceiptInput,
): BinaryNode => {
  const { messageId, count, withKeys, addressing: chosen } = retryReceiptSchema.parse(input);
  const mode = chosen ?? (ctx.legacy.has('no-lid-retry-receipts') ? 'pn' : 'lid');
  const from = mode === 'lid' ? lidJid(contact.lid) : pnJid(contact.phone);
  const t = nowSeconds();
  const content: BinaryNode[] = [
    node('retry', { count: String(count), id: messageId, t, v: '1', error: '0' }),
    node('registration', {}, uintBE(contact.peer.registrationId, 4)),
  ];
  if (withKeys ?? count > 1) content.push(keysNode(contact));
  const receipt = node('receipt', { from, id: messageId, type: 'retry', t }, content);
  const state = stateOf(contact);
  const previous = state.pending.get(messageId);
  clearTimeout(previous?.timer);
  state.pending.set(messageId, { count });
  for (const device of account.devices.values()) pushToDevice(ctx, account, device, receipt);
  ctx.events.emit('retry-receipt', {
    contact: contact.phone,
    phone: account.phone,
    id: messageId,
    count,
    from,
    withKeys: content.length > 2,
  });
  return receipt;
};

/** `<keys>` as a phone sends it: key bundle type, identity, one one-time prekey, signed prekey, device identity. */
const keysNode = (contact: Contact): BinaryNode => {
  const bundle = contact.peer.takeBundle();
  const keys: BinaryNode[] = [
    node('type', {}, Buffer.from(KEY_BUNDLE_TYPE)),
    node('identity', {}, bundle.identityKey),
  ];
  if (bundle.preKey) {
    keys.push(
      node('key', {}, [
        node('id', {}, uintBE(bundle.preKey.keyId, 3)),
        node('value', {}, bundle.preKey.publicKey),
      ]),
    );
  }
  keys.push(
    node('skey', {}, [
      node('id', {}, uintBE(bundle.signedPreKey.keyId, 3)),
      node('value', {}, bundle.signedPreKey.publicKey),
      node('signature', {}, bundle.signedPreKey.signature),
    ]),
    node('device-identity', {}, deviceIdentity(contact)),
  );
  return node('keys', {}, keys);
};

/** The phone's own ADV identity (device 0, key index 0), signed with its identity key. */
const deviceIdentity = (contact: Contact): Buffer => {
  const details = proto.ADVDeviceIdentity.encode({
    rawId: contact.peer.registrationId,
    timestamp: Math.floor(Date.now() / 1000),
    keyIndex: 0,
  }).finish();
  const signature = Buffer.from(Curve.sign(contact.peer.identity.private, details));
  return Buffer.from(
    proto.ADVSignedDeviceIdentity.encode({
      details,
      accountSignatureKey: Buffer.from(contact.peer.identity.public),
      accountSignature: signature,
      deviceSignature: signature,
    }).finish(),
  );
};
