/**
 * Which claimable sessions a host takes first (docs/session-host.md, "Claim order"): those with messages waiting
 * to be sent. After a host dies, its sessions come back over seconds (claims, then the connect pacer, which is
 * first come first served); a session whose tenant is waiting on a send should not sit behind idle ones.
 *
 * How a host knows: the message table's sparse `queued` index (`queuedFor` = session id, present only while a
 * message is `queued`) is the send backlog itself, so one `Limit: 1` query per candidate answers "anything
 * waiting?" exactly, reading at most one item. No marker on the session item is kept in step with the messages
 * (that would add a write to every API send), and the check costs nothing in the steady state: a round with
 * zero or one candidate skips it. The index is eventually consistent; a message queued a moment ago may be
 * missed, which only costs it its priority, never the message (the drain on connect reads the backlog again).
 * Messages left `sending` by the dead host are not in the index; they do not raise the priority.
 */
import type { Session } from '../shared/domain/session.js';
import type { MessageRepository } from '../shared/ports/message-repository.js';
import { mapBounded } from './bounded-pool.js';

/** Whether the session has at least one `queued` message. */
export type QueuedProbe = (sessionId: string) => Promise<boolean>;

export function queuedProbe(messages: Pick<MessageRepository, 'listQueued'>): QueuedProbe {
  return async (sessionId) => (await messages.listQueued(sessionId, 1)).length > 0;
}

/**
 * The candidates with queued work first, each group in its original order (`findClaimable`: unowned, then
 * oldest expiry). A probe that fails counts as "nothing queued": priority is an optimisation, never a reason to
 * skip a claim.
 */
export async function prioritizeClaims<S extends Pick<Session, 'id'>>(
  candidates: readonly S[],
  probe: QueuedProbe,
  concurrency: number,
): Promise<S[]> {
  if (candidates.length < 2) return [...candidates];
  const queued = await mapBounded(candidates, concurrency, (c) => probe(c.id).catch(() => false));
  return [...candidates.filter((_, i) => queued[i]), ...candidates.filter((_, i) => !queued[i])];
}
