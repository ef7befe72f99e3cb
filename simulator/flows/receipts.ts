import { SimulatorError } from '../errors.js';
import { childOf, childrenNamed, node, nowSeconds } from '../wire/nodes.js';
import type { BinaryNode } from '../wire/nodes.js';
import type { Contact, DeliveryStatus, InboxEntry } from '../world/types.js';
import { pnJid } from '../world/world.js';
import { pushToDevice, requireLoggedIn, send } from './context.js';
import type { Session, SimContext } from './context.js';
import { settleContactSession } from './lid-addressing.js';

const RANK: Record<DeliveryStatus, number> = { sent: 0, delivered: 1, read: 2 };

/** Statuses only move forward: a late "delivered" never undoes "read". */
const advance = (current: DeliveryStatus, next: DeliveryStatus): DeliveryStatus =>
  RANK[next] > RANK[current] ? next : current;

/** What a receipt type means for the contact who sent the message; undefined for receipts about other things. */
const statusOfReceipt = (type: string | undefined): DeliveryStatus | undefined => {
  if (type === undefined || type === '' || type === 'inactive' || type === 'sender') return 'delivered';
  if (type === 'read' || type === 'read-self' || type === 'played') return 'read';
  return undefined;
};

/** A companion acknowledges messages it received (delivered, read, or protocol receipts for its own phone). */
export const onClientReceipt = async (
  ctx: SimContext,
  session: Session,
  receipt: BinaryNode,
): Promise<void> => {
  const { account } = requireLoggedIn(session);
  const { id = '', to = '', type } = receipt.attrs;
  await send(session, node('ack', { class: 'receipt', id, from: to, ...(type ? { type } : {}) }));
  const ids = [id, ...childrenNamed(childOf(receipt, 'list'), 'item').map((i) => i.attrs.id ?? '')].filter(
    Boolean,
  );
  const target = ctx.world.resolve(to);
  if (!target || !('contact' in target)) return;
  const status = statusOfReceipt(type);
  if (status) {
    for (const entry of target.contact.outbox) {
      if (ids.includes(entry.id) && entry.to === account.phone) {
        entry.status = advance(entry.status, status);
        await settleContactSession(target.contact, entry, account, session.device);
      }
    }
  }
  ctx.events.emit('receipt', {
    phone: account.phone,
    contact: target.contact.phone,
    messageIds: ids,
    type: type ?? 'delivery',
  });
};

/** The contact's phone reports a message from an account as delivered or read, to all the account's companions. */
export const contactSendsReceipt = (
  ctx: SimContext,
  contact: Contact,
  messageId: string,
  type: 'delivered' | 'read',
): InboxEntry => {
  const entry = contact.inbox.find((m) => m.id === messageId);
  if (!entry)
    throw new SimulatorError(404, 'unknown_message', `contact ${contact.phone} never received ${messageId}`);
  const phone = entry.from.split(/[:@]/)[0] ?? '';
  const account = ctx.world.account(phone);
  if (!account) throw new SimulatorError(404, 'unknown_account', `no account ${phone}`);
  entry.status = advance(entry.status, type);
  for (const device of account.devices.values()) {
    pushToDevice(
      ctx,
      account,
      device,
      node('receipt', {
        from: pnJid(contact.phone),
        id: messageId,
        t: nowSeconds(),
        ...(type === 'read' ? { type: 'read' } : {}),
      }),
    );
  }
  return entry;
};
