/**
 * `contacts.check`: which numbers are on WhatsApp, with their jids and LIDs, in one usync query (the contact and
 * LID protocols), as WhatsApp Web asks. rc14's `onWhatsApp` drops the LID, so the query is built here.
 */
import { USyncQuery, USyncUser, type WASocket } from '@whiskeysockets/baileys';
import type { ContactCheckResult, HostRequestOf, HostResultOf } from '../../shared/contracts/host-request.js';
import { lidOfJid } from '../../shared/domain/contact-id.js';

interface UsyncEntry {
  readonly id: string;
  readonly contact?: unknown;
  readonly lid?: unknown;
}

const digitsOfJid = (jid: string): string => jid.split('@')[0]?.split(':')[0] ?? '';

export async function checkContacts(
  socket: Pick<WASocket, 'executeUSyncQuery'>,
  request: HostRequestOf<'contacts.check'>,
): Promise<HostResultOf<'contacts.check'>> {
  const phones = [...new Set(request.phones)];
  const query = new USyncQuery().withContactProtocol().withLIDProtocol();
  for (const phone of phones) query.withUser(new USyncUser().withPhone(phone));
  const answer = await socket.executeUSyncQuery(query);
  if (!answer) throw new Error('WhatsApp answered the number check with an error');
  const byDigits = new Map<string, UsyncEntry>();
  for (const entry of answer.list as UsyncEntry[]) byDigits.set(digitsOfJid(entry.id), entry);
  const results = phones.map((phone): ContactCheckResult => {
    const entry = byDigits.get(phone.slice(1));
    if (entry?.contact !== true) return { phone, exists: false };
    const lid = typeof entry.lid === 'string' ? lidOfJid(entry.lid) : null;
    return { phone, exists: true, jid: entry.id, ...(lid ? { lid } : {}) };
  });
  return { results };
}
