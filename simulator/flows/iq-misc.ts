import { iqResult, node } from '../wire/nodes.js';
import type { BinaryNode } from '../wire/nodes.js';
import { send } from './context.js';
import type { Session, SimContext } from './context.js';

/** IQs a companion sends around login that need an answer but carry no simulated state. */
type Handler = (ctx: SimContext, session: Session, iq: BinaryNode) => Promise<void>;

const empty: Handler = async (_ctx, session, iq) => send(session, iqResult(iq));

const PRIVACY_CATEGORIES = ['readreceipts', 'last', 'online', 'profile', 'status', 'groupadd'];

export const miscIqHandlers: Record<string, Handler> = {
  'w:p:ping': empty,
  'passive:active': empty,
  'passive:passive': empty,
  'abt:props': async (_ctx, session, iq) =>
    send(session, iqResult(iq, [node('props', { protocol: '1', hash: 'sim' }, [])])),
  'w:props:props': async (_ctx, session, iq) =>
    send(session, iqResult(iq, [node('props', { protocol: '2', hash: 'sim' }, [])])),
  'privacy:privacy': async (_ctx, session, iq) =>
    send(
      session,
      iqResult(iq, [
        node(
          'privacy',
          {},
          PRIVACY_CATEGORIES.map((name) => node('category', { name, value: 'all' })),
        ),
      ]),
    ),
  'privacy:tokens': empty,
};

/** Anything else: an empty result keeps Baileys moving; the event lets a test notice new traffic. */
export const onUnknownIq: Handler = async (ctx, session, iq) => {
  ctx.events.emit('unhandled-iq', { node: iq });
  ctx.log('unhandled iq answered empty', { xmlns: iq.attrs.xmlns });
  await send(session, iqResult(iq));
};
