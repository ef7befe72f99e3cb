import { SimulatorError } from '../errors.js';
import { node, nowSeconds, S_WHATSAPP_NET } from '../wire/nodes.js';
import type { BinaryNode } from '../wire/nodes.js';
import { newServerIqId, send } from './context.js';
import type { Registration, Session, SimContext } from './context.js';

/**
 * Today's server (since 2026-07-28) answers the first scan of a companion's QR with a `companion_reg_refresh`
 * notification instead of pair-success: the companion must retire its adv secret, draw the same ref with a new
 * one and ack; only a scan carrying the new secret pairs. Baileys rc14 has no handler for it (dossier item 1).
 */

/** The two children WA Web accepts in the notification; tests pick one. */
export const REFRESH_CHILDREN = ['companion_reg_refresh', 'pair-device-rotate-qr'] as const;
export type RefreshChild = (typeof REFRESH_CHILDREN)[number];

/** How long the companion has to ack the notification before the simulator reports a `problem`. */
export const REFRESH_ACK_TIMEOUT_MS = 5_000;

interface RefreshState {
  /** Adv secrets (base64) a refresh retired: a QR still carrying one is stale. */
  retired: Set<string>;
  /** Registrations that have already been refreshed once (their next fresh secret pairs). */
  refreshed: WeakSet<Registration>;
  /** Notification id -> what to do when its ack arrives. */
  awaitingAck: Map<string, { session: Session; ref: string; timer: NodeJS.Timeout }>;
  child: RefreshChild;
}

const states = new WeakMap<SimContext, RefreshState>();

const stateOf = (ctx: SimContext): RefreshState => {
  let state = states.get(ctx);
  if (!state) {
    state = {
      retired: new Set(),
      refreshed: new WeakSet(),
      awaitingAck: new Map(),
      child: REFRESH_CHILDREN[0],
    };
    states.set(ctx, state);
  }
  return state;
};

/** Which child the next refresh notifications carry (WA Web accepts either). */
export const setRefreshChild = (ctx: SimContext, child: RefreshChild): void => {
  stateOf(ctx).child = child;
};

/**
 * Decides a scan before pair-success: `'pair'` when the server would pair now, `'refreshed'` when it sent the
 * refresh notification instead. A QR with a retired secret is refused (`qr_stale`, 409) and nothing is sent.
 */
export const refreshBeforePairing = async (
  ctx: SimContext,
  session: Session,
  registration: Registration,
  ref: string,
  advSecret: Buffer,
): Promise<'pair' | 'refreshed'> => {
  if (ctx.legacy.has('no-companion-reg-refresh')) return 'pair';
  const state = stateOf(ctx);
  const secret = advSecret.toString('base64');
  if (state.retired.has(secret)) {
    throw new SimulatorError(
      409,
      'qr_stale',
      'the QR carries an adv secret retired by companion_reg_refresh',
    );
  }
  if (state.refreshed.has(registration)) return 'pair';
  state.refreshed.add(registration);
  state.retired.add(secret);
  const id = newServerIqId();
  const timer = setTimeout(() => {
    if (!state.awaitingAck.delete(id)) return;
    ctx.events.emit('companion-reg-refresh', { connectionId: session.conn.id, ref, acked: false });
    ctx.events.emit('problem', {
      connectionId: session.conn.id,
      error: new Error(`companion_reg_refresh ${id} not acked within ${REFRESH_ACK_TIMEOUT_MS} ms`),
    });
  }, REFRESH_ACK_TIMEOUT_MS);
  timer.unref();
  state.awaitingAck.set(id, { session, ref, timer });
  ctx.log('companion_reg_refresh', { connectionId: session.conn.id, child: state.child });
  await send(
    session,
    node('notification', { from: S_WHATSAPP_NET, type: 'companion_reg_refresh', id, t: nowSeconds() }, [
      node(state.child, {}),
    ]),
  );
  return 'refreshed';
};

/** A companion's `<ack class="notification" type="companion_reg_refresh">`; other acks are not ours. */
export const onRefreshAck = (ctx: SimContext, session: Session, ack: BinaryNode): void => {
  const { id, class: cls, type } = ack.attrs;
  if (cls !== 'notification' || type !== 'companion_reg_refresh' || !id) return;
  const state = stateOf(ctx);
  const pending = state.awaitingAck.get(id);
  if (!pending || pending.session !== session) return;
  clearTimeout(pending.timer);
  state.awaitingAck.delete(id);
  ctx.events.emit('companion-reg-refresh', { connectionId: session.conn.id, ref: pending.ref, acked: true });
};
