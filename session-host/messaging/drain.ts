/**
 * What a session still has to send when a host attaches it (docs/messaging.md, "Drain"): the `queued`
 * backlog (`listQueued`, oldest first) plus messages left `sending` by an attempt that never finished (a host
 * killed mid-send, a socket closed mid-send). Both are sent again; a `sending` one reuses its WhatsApp id, so
 * the contact's phone drops it if the first attempt did reach it.
 *
 * `sending` messages are not in the `queued` index (the repository drops `queuedFor` on every advance), so they
 * are found by walking the session's messages newest first. Sends of a session run strictly in id order, so
 * an unfinished one sits just below the queued backlog and above what was already finished: the walk stops
 * after a run of finished outbound messages, or at a hard cap of non-queued messages looked at.
 */
import type { Message } from '../../shared/domain/message.js';
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
  /** Stop the walk for `sending` after this many finished outbound messages in a row. */
  readonly finishedRun?: number;
  /** ... or after looking at this many messages that are not `queued`. */
  readonly scanLimit?: number;
}

const FINISHED = new Set(['sent', 'delivered', 'read', 'failed']);

export async function listBacklog(
  messages: MessageRepository,
  sessionId: string,
  options: DrainOptions = {},
): Promise<Backlog> {
  const queuedPage = options.queuedPage ?? 100;
  const [queued, unfinished] = await Promise.all([
    messages.listQueued(sessionId, queuedPage),
    findUnfinishedSends(messages, sessionId, options),
  ]);
  const ids = [...new Set([...unfinished, ...queued.map((m) => m.id)])].sort();
  return { ids, more: queued.length >= queuedPage };
}

/** Outbound messages still `sending`, oldest first. */
export async function findUnfinishedSends(
  messages: MessageRepository,
  sessionId: string,
  options: DrainOptions = {},
): Promise<string[]> {
  const finishedRun = options.finishedRun ?? 50;
  const scanLimit = options.scanLimit ?? 1_000;
  const found: string[] = [];
  let run = 0;
  let scanned = 0;
  let cursor: string | undefined;
  do {
    const page = await messages.listBySession(sessionId, { limit: 100, ...(cursor ? { cursor } : {}) });
    for (const message of page.items) {
      if (message.status === 'queued') continue;
      scanned++;
      if (isUnfinishedSend(message)) {
        found.push(message.id);
        run = 0;
      } else if (message.direction === 'outbound' && FINISHED.has(message.status)) {
        run++;
      }
      if (run >= finishedRun || scanned >= scanLimit) return found.reverse();
    }
    cursor = page.cursor;
  } while (cursor);
  return found.reverse();
}

function isUnfinishedSend(message: Message): boolean {
  return message.direction === 'outbound' && message.status === 'sending';
}
