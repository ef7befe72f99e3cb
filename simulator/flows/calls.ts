/**
 * Calls to an account, as the server signals them: a contact calls (`<call from id t><offer call-id
 * call-creator caller_pn?>` with audio codecs, `<video>` for a video call, `type="group"` for a group call) and
 * the account's connected companions ring; a companion's `<call to><reject call-id call-creator/></call>` ends it
 * (acked with `<ack class="call" type="reject">`, which Baileys' `rejectCall` waits for) and is recorded. Media,
 * relays and answering are not simulated. Calls ring live only: an offline companion never sees one.
 */
import { randomBytes } from 'node:crypto';
import { childOf, node, nowSeconds, S_WHATSAPP_NET } from '../wire/nodes.js';
import type { BinaryNode } from '../wire/nodes.js';
import type { Account, Contact } from '../world/types.js';
import { lidJid, pnJid } from '../world/world.js';
import { newMessageId, pushToOnlineCompanions, requireLoggedIn, send } from './context.js';
import type { Session, SimContext } from './context.js';

export interface CallRecord {
  readonly id: string;
  /** The caller (contact phone) and the called account's phone. */
  readonly from: string;
  readonly to: string;
  readonly video: boolean;
  readonly group: boolean;
  status: 'ringing' | 'rejected';
  /** The companion device that rejected it. */
  rejectedBy?: number;
}

export class CallState {
  readonly calls = new Map<string, CallRecord>();
}

export interface CallOptions {
  readonly video?: boolean;
  readonly group?: boolean;
  /**
   * Whether a LID-addressed caller's offer carries `caller_pn` (default true). False: the server keeps the
   * caller's number from the account (a caller the account met in a group, say), so the offer names the LID only.
   */
  readonly callerPn?: boolean;
}

/** Contact `contact` calls account `account`; returns the call and how many companions rang. */
export const contactCalls = (
  ctx: SimContext,
  contact: Contact,
  account: Account,
  options: CallOptions = {},
): { call: CallRecord; rang: number } => {
  const id = randomBytes(16).toString('hex').toUpperCase();
  const call: CallRecord = {
    id,
    from: contact.phone,
    to: account.phone,
    video: options.video === true,
    group: options.group === true,
    status: 'ringing',
  };
  ctx.calls.calls.set(id, call);
  const lid = contact.addressing === 'lid';
  const creator = lid ? lidJid(contact.lid) : pnJid(contact.phone);
  const media: BinaryNode[] = [
    node('audio', { enc: 'opus', rate: '16000' }),
    node('audio', { enc: 'opus', rate: '8000' }),
    ...(call.video ? [node('video', { enc: 'vp8', dec: 'vp8' })] : []),
    node('net', { medium: '3' }),
  ];
  const offer = node(
    'offer',
    {
      'call-id': id,
      'call-creator': creator,
      ...(lid && options.callerPn !== false ? { caller_pn: pnJid(contact.phone) } : {}),
      ...(call.group ? { type: 'group' } : {}),
    },
    media,
  );
  const stanza = node('call', { from: creator, id: newMessageId(), t: nowSeconds(), notify: contact.name }, [
    offer,
  ]);
  const rang = pushToOnlineCompanions(ctx, account, stanza);
  ctx.events.emit('call-offer', { ...call, rang });
  return { call, rang };
};

/** A companion's `<call>`: a reject ends the call it names. */
export const onClientCall = async (ctx: SimContext, session: Session, stanza: BinaryNode): Promise<void> => {
  const { account, device } = requireLoggedIn(session);
  const reject = childOf(stanza, 'reject');
  const ack = node('ack', {
    id: stanza.attrs.id ?? '',
    class: 'call',
    from: S_WHATSAPP_NET,
    ...(reject ? { type: 'reject' } : {}),
  });
  const call = reject ? ctx.calls.calls.get(reject.attrs['call-id'] ?? '') : undefined;
  if (call && call.to === account.phone && call.status === 'ringing') {
    call.status = 'rejected';
    call.rejectedBy = device.id;
    ctx.events.emit('call-rejected', { ...call });
  }
  await send(session, ack);
};
