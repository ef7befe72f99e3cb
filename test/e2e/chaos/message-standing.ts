/**
 * Where the chaos test's messages stand when it gives up waiting, read straight from DynamoDB Local: how many of
 * the accepted messages are in each stored status (`queued`: no host picked it up, a lost doorbell or a missed
 * drain; `sending`: an attempt that never finished; `failed`), and, for each one that has not reached its
 * contact, its status, error and history, and its session's state and owner. This is what tells a stuck
 * message's cause from plain slowness.
 */
import type { HostAdapters } from '../../../session-host/compose.js';
import type { AcceptedSend } from './send-load.js';

export async function whereMessagesStand(
  adapters: HostAdapters,
  accepted: readonly AcceptedSend[],
  missingIds: readonly string[],
): Promise<string> {
  const stored = await Promise.all(
    accepted.map(async (a) => ({ a, m: await adapters.messages.get(a.sessionId, a.messageId) })),
  );
  const byStatus = new Map<string, number>();
  for (const { m } of stored)
    byStatus.set(m?.status ?? 'absent', (byStatus.get(m?.status ?? 'absent') ?? 0) + 1);
  const missing = new Set(missingIds);
  const lines = await Promise.all(
    stored
      .filter(({ a, m }) => missing.has(a.messageId) || m?.status === 'queued' || m?.status === 'sending')
      .map(async ({ a, m }) => {
        const s = await adapters.sessions.getById(a.sessionId);
        const history = (m?.statusHistory ?? []).map((h) => `${h.status}@${h.at.slice(11, 23)}`).join(' ');
        return (
          `${a.messageId} (${a.sessionId}, accepted after ${a.retries} retries): ${m?.status ?? 'absent'}` +
          `${m?.error ? ` ${JSON.stringify(m.error)}` : ''} [${history}]${missing.has(a.messageId) ? ' NOT at contact' : ''}; ` +
          `session ${s?.status} on ${s?.owner}`
        );
      }),
  );
  const breakdown = [...byStatus].map(([status, n]) => `${status} ${n}`).join(', ');
  return `stored statuses of ${accepted.length} accepted messages: ${breakdown}\n${lines.join('\n')}`;
}
