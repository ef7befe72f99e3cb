/**
 * Today's reach-out timelock (docs/simulator.md, "Reach-out timelock"): WhatsApp restricts an account from
 * starting new chats from its companions for a while. While the lock holds, a 1:1 send from a companion to a
 * contact the account holds no trust token for is refused with `<ack error="463"/>` and never delivered; the
 * change is pushed to the online companions as a `mex` notification, and the `w:mex` fetch rc14's
 * `fetchAccountReachoutTimelock` sends reports it. The legacy switch `no-timelock` turns all of it off.
 */
import { jidDecode } from '@whiskeysockets/baileys';
import { childOf, iqResult, node, nowSeconds, S_WHATSAPP_NET } from '../wire/nodes.js';
import type { BinaryNode } from '../wire/nodes.js';
import type { Account, Contact } from '../world/types.js';
import { newServerIqId, pushToOnlineCompanions, send } from './context.js';
import type { Session, SimContext } from './context.js';

/** `RESTRICT_ALL_COMPANIONS` blocks every linked device but not the phone (the only kind the simulator models). */
export const DEFAULT_ENFORCEMENT_TYPE = 'RESTRICT_ALL_COMPANIONS';

/** The 463 code WhatsApp names `NackCallerReachoutTimelocked`. */
export const REACHOUT_TIMELOCKED = 463;

export interface ReachoutTimelock {
  active: boolean;
  /** Epoch seconds when enforcement ends; absent while inactive. */
  until?: number;
  enforcementType: string;
}

export interface MessageCappingInfo {
  cappingStatus: string;
  usedQuota: number;
  totalQuota: number;
  /** Epoch seconds. */
  cycleEndTimestamp: number;
}

/** Query ids of rc14's `w:mex` fetches (`Types/Mex.js` QueryIds). */
const REACHOUT_TIMELOCK_QUERY = '23983697327930364';
const MESSAGE_CAPPING_QUERY = '24503548349331633';

const locks = new WeakMap<Account, ReachoutTimelock>();
/** Per account: contacts whose trust token is set explicitly (true) or withheld explicitly (false). */
const tokens = new WeakMap<Account, Map<string, boolean>>();

const INACTIVE: ReachoutTimelock = { active: false, enforcementType: 'DEFAULT' };

/** The lock as it stands now: one whose `until` passed is over (the server sends nothing when it lapses). */
export const timelockOf = (account: Account): ReachoutTimelock => {
  const lock = locks.get(account);
  if (!lock?.active) return INACTIVE;
  if (lock.until !== undefined && lock.until * 1000 <= Date.now()) return INACTIVE;
  return lock;
};

/**
 * Whether the account holds a trust token for the contact: set explicitly, or (the server's usual reason) the
 * contact wrote to the account, so replying is not a reach-out.
 */
export const hasTrustToken = (account: Account, contact: Contact): boolean =>
  tokens.get(account)?.get(contact.phone) ?? contact.outbox.some((entry) => entry.to === account.phone);

export const setTrustToken = (account: Account, contact: Contact, trusted: boolean): void => {
  let map = tokens.get(account);
  if (!map) tokens.set(account, (map = new Map()));
  map.set(contact.phone, trusted);
};

/**
 * The ack error for a companion's message, or undefined to deliver it: 463 for a 1:1 send to a contact without
 * a token while the account is timelocked.
 */
export const reachoutRefusal = (
  ctx: SimContext,
  account: Account,
  message: BinaryNode,
): number | undefined => {
  if (ctx.legacy.has('no-timelock') || !timelockOf(account).active) return undefined;
  const to = message.attrs.to ?? '';
  const server = jidDecode(to)?.server;
  if (server !== S_WHATSAPP_NET && server !== 'lid') return undefined;
  const target = ctx.world.resolve(to);
  if (!target || !('contact' in target)) return undefined;
  if (hasTrustToken(account, target.contact)) return undefined;
  ctx.log('1:1 send refused: reach-out timelock', { phone: account.phone, id: message.attrs.id });
  return REACHOUT_TIMELOCKED;
};

const timelockJson = (lock: ReachoutTimelock): Record<string, unknown> => ({
  is_active: lock.active,
  time_enforcement_ends: String(lock.active ? (lock.until ?? 0) : 0),
  enforcement_type: lock.active ? lock.enforcementType : 'DEFAULT',
});

const mexNotification = (opName: string, data: Record<string, unknown>): BinaryNode =>
  node('notification', { type: 'mex', from: S_WHATSAPP_NET, id: newServerIqId(), t: nowSeconds() }, [
    node('update', { op_name: opName }, Buffer.from(JSON.stringify({ data }), 'utf8')),
  ]);

/** Sets (or lifts) the account's timelock and tells its online companions; returns how many were told. */
export const setReachoutTimelock = (ctx: SimContext, account: Account, lock: ReachoutTimelock): number => {
  locks.set(account, lock.active ? lock : INACTIVE);
  if (ctx.legacy.has('no-timelock')) return 0;
  return pushToOnlineCompanions(
    ctx,
    account,
    mexNotification('NotificationUserReachoutTimelockUpdate', {
      xwa2_notify_account_reachout_timelock: timelockJson(timelockOf(account)),
    }),
  );
};

const cappingJson = (info: MessageCappingInfo): Record<string, unknown> => ({
  capping_status: info.cappingStatus,
  used_quota: info.usedQuota,
  total_quota: info.totalQuota,
  cycle_end_timestamp: String(info.cycleEndTimestamp),
});

/** Pushes `MessageCappingInfoNotification` (new-chat message capping) to the account's online companions. */
export const pushMessageCapping = (ctx: SimContext, account: Account, info: MessageCappingInfo): number =>
  pushToOnlineCompanions(
    ctx,
    account,
    mexNotification('MessageCappingInfoNotification', {
      xwa2_notify_new_chat_messages_capping_info_update: cappingJson(info),
    }),
  );

const mexResult = (iq: BinaryNode, body: Record<string, unknown>): BinaryNode =>
  iqResult(iq, [node('result', {}, Buffer.from(JSON.stringify(body), 'utf8'))]);

/** `<iq xmlns="w:mex"><query query_id=…>{variables}</query></iq>`: the two account queries rc14 knows. */
export const onMexQuery = async (ctx: SimContext, session: Session, iq: BinaryNode): Promise<void> => {
  const account = session.account;
  const queryId = childOf(iq, 'query')?.attrs.query_id;
  if (account && queryId === REACHOUT_TIMELOCK_QUERY) {
    const lock = ctx.legacy.has('no-timelock') ? INACTIVE : timelockOf(account);
    await send(
      session,
      mexResult(iq, { data: { xwa2_fetch_account_reachout_timelock: timelockJson(lock) } }),
    );
    return;
  }
  if (account && queryId === MESSAGE_CAPPING_QUERY) {
    const info = { capping_status: 'NONE', used_quota: 0, total_quota: 0 };
    await send(session, mexResult(iq, { data: { xwa2_message_capping_info: info } }));
    return;
  }
  ctx.events.emit('unhandled-iq', { node: iq });
  await send(session, mexResult(iq, { errors: [{ message: `unknown query ${queryId ?? ''}` }] }));
};
