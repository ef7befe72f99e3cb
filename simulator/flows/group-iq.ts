import { SimulatorError } from '../errors.js';
import { iqError, node } from '../wire/nodes.js';
import type { BinaryNode } from '../wire/nodes.js';
import { GROUP_SERVER } from '../world/groups.js';
import { requireLoggedIn, send } from './context.js';
import type { Session, SimContext } from './context.js';
import { memberOf } from './group-notify.js';
import type { Member } from './group-notify.js';

/** The error texts WhatsApp pairs with each IQ error code. */
const IQ_ERROR_TEXT: Record<number, string> = {
  400: 'bad-request',
  401: 'not-authorized',
  403: 'forbidden',
  404: 'item-not-found',
  406: 'not-acceptable',
  409: 'conflict',
  410: 'gone',
  419: 'resource-limit',
};

/** Who sent a `w:g2` IQ: the account as a member, and the companion device it came from. */
export interface GroupRequester {
  actor: Member;
  device: number;
}

export type GroupIqHandler = (ctx: SimContext, session: Session, iq: BinaryNode) => Promise<void>;

/**
 * Runs a `w:g2` IQ: `fn` returns the result's children, or throws a SimulatorError whose status becomes the IQ
 * error code (403 forbidden, 404 item-not-found, ...), as the real server answers. The answer comes from the jid
 * the IQ went to (`@g.us` or the group).
 */
export const groupIq =
  (
    fn: (ctx: SimContext, req: GroupRequester, iq: BinaryNode) => BinaryNode[] | Promise<BinaryNode[]>,
  ): GroupIqHandler =>
  async (ctx, session, iq) => {
    const { account, device } = requireLoggedIn(session);
    const actor = memberOf(ctx, account.phone);
    let answer: BinaryNode;
    try {
      if (!actor) throw new SimulatorError(401, 'not-authorized', 'no account');
      const content = await fn(ctx, { actor, device: device.id }, iq);
      answer = node(
        'iq',
        { from: iq.attrs.to ?? `@${GROUP_SERVER}`, type: 'result', id: iq.attrs.id ?? '' },
        content,
      );
    } catch (error) {
      if (!(error instanceof SimulatorError)) throw error;
      answer = iqError(iq, error.status, IQ_ERROR_TEXT[error.status] ?? error.code);
      ctx.log('group iq refused', { status: error.status, detail: error.message });
    }
    await send(session, answer);
  };

/** The refusals the group flows share. */
export const forbidden = (why: string): SimulatorError => new SimulatorError(403, 'forbidden', why);
export const notFound = (why: string): SimulatorError => new SimulatorError(404, 'item-not-found', why);
