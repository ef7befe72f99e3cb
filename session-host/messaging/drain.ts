/**
 * What a session still has to send when a host attaches it (docs/messaging.md, "Drain"): the `queued`
 * backlog (`listQueued`, oldest first) plus messages left `sending` by an attempt that never finished (a host
 * killed mid-send, a socket closed mid-send: `listSending`). Both are sent again; a `sending` one reuses its
 * WhatsApp id, so the contact's phone drops it if the first attempt did reach it.
 *
 * Both come from sparse indexes holding only those messages, so an attach costs two small queries whatever the
 * session's history (issue #14). The `sending` ones were found by walking the history newest first, up to ten
 * pages of 100 messages for a session that mostly receives, on every attach of a failover.
 */
import type { MessageRepository } from '../../shared/ports/message-repository.js';

export interface Backlog {
  /** Ids to send, ascending. */
  readonly ids: string[];
  /** The `queued` listing was cut at the page size: list again once these are sent. */
  readonly more: boolean;
}

export interface DrainOptions {
  /** Page size of one `listQueued` call. */
  readonly queuedPage?: number;
}

/** Sends left unfinished are one per attempt in flight when the owner died: a handful, never a page. */
const SENDING_LIMIT = 100;

export async function listBacklog(
  messages: Pick<MessageRepository, 'listQueued' | 'listSending'>,
  sessionId: string,
  options: DrainOptions = {},
): Promise<Backlog> {
  const queuedPage = options.queuedPage ?? 100;
  const [queued, sending] = await Promise.all([
    messages.listQueued(sessionId, queuedPage),
    messages.listSending(sessionId, SENDING_LIMIT),
  ]);
  // Only outbound messages are ever `sending`; the check keeps anything else from being sent.
  const unfinished = sending.filter((m) => m.direction === 'outbound' && m.status === 'sending');
  const ids = [...new Set([...unfinished.map((m) => m.id), ...queued.map((m) => m.id)])].sort();
  return { ids, more: queued.length >= queuedPage };
}
