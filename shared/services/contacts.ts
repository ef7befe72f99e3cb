/**
 * Contacts use cases (docs/api.md, "Contacts"): number checks. Checking numbers draws bans when done too
 * often, so each session keeps WhatsApp's answers for a day (`contactChecks`) and asks WhatsApp only for the
 * numbers it has not checked within that day; those count against a per-session daily limit.
 */
import * as z from 'zod';
import { CONTACT_CHECK_MAX_PHONES } from '../contracts/host-request.js';
import { RateLimitedError } from '../domain/errors.js';
import { nowIso } from '../domain/ids.js';
import { PhoneSchema } from '../domain/phone.js';
import type { CachedContactCheck, ContactCheckCache, DailyQuota } from '../ports/contact-check-store.js';
import type { ControlPlaneDeps } from './deps.js';
import { SessionNotConnectedError } from './errors.js';
import { askHost } from './host-requests.js';
import { loadSession } from './sessions.js';

/** How long one number's answer is reused. */
export const CONTACT_CHECK_TTL_SECONDS = 24 * 60 * 60;

export const ContactCheckRequestSchema = z.strictObject({
  phones: z.array(PhoneSchema).min(1).max(CONTACT_CHECK_MAX_PHONES),
});
export type ContactCheckRequest = z.infer<typeof ContactCheckRequestSchema>;

export const ContactCheckViewSchema = z.object({
  phone: PhoneSchema,
  exists: z.boolean(),
  jid: z.string().optional(),
  lid: z.string().optional(),
  checkedAt: z.string(),
  /** Answered from the session's last day of checks, without asking WhatsApp. */
  cached: z.boolean(),
});
export type ContactCheckView = z.infer<typeof ContactCheckViewSchema>;

export interface ContactCheckDeps extends Pick<
  ControlPlaneDeps,
  'repos' | 'doorbell' | 'hostReplies' | 'hostRequestWaitMs' | 'now' | 'sleep' | 'contactChecksPerDay'
> {
  readonly contactChecks: ContactCheckCache;
  readonly dailyQuota: DailyQuota;
}

/** Counter bucket of the numbers a session asked WhatsApp about (per UTC day). */
export const contactChecksBucket = (tenantId: string, sessionId: string): string =>
  `${tenantId}#contact-checks#${sessionId}`;

export async function checkContacts(
  deps: ContactCheckDeps,
  tenantId: string,
  sessionId: string,
  request: ContactCheckRequest,
): Promise<{ results: ContactCheckView[] }> {
  const session = await loadSession(deps, tenantId, sessionId);
  const phones = [...new Set(request.phones)];
  const known = new Map<string, ContactCheckView>();
  for (const hit of await deps.contactChecks.getMany(sessionId, phones)) {
    known.set(hit.phone, { ...hit, cached: true });
  }
  const ask = phones.filter((p) => !known.has(p));
  if (ask.length > 0) {
    // Refused before counting: a session that cannot ask WhatsApp must not use up its day.
    if (session.status !== 'connected') {
      throw new SessionNotConnectedError(
        `Session ${sessionId} is ${session.status}, not connected to WhatsApp`,
      );
    }
    const limit = deps.contactChecksPerDay;
    const used = await deps.dailyQuota.take(
      contactChecksBucket(tenantId, sessionId),
      ask.length,
      limit,
      deps.now(),
    );
    if (used === null) {
      throw new RateLimitedError(
        secondsToUtcMidnight(deps.now()),
        `Session ${sessionId} may check at most ${limit} new numbers per day (UTC); ${ask.length} more would pass it`,
      );
    }
    const { results } = await askHost(deps, session, { kind: 'contacts.check', phones: ask });
    const checkedAt = nowIso(new Date(deps.now()));
    const fresh: CachedContactCheck[] = results.map((r) => ({ ...r, checkedAt }));
    await deps.contactChecks.putMany(sessionId, fresh, CONTACT_CHECK_TTL_SECONDS);
    for (const r of fresh) known.set(r.phone, { ...r, cached: false });
  }
  // Every number asked is answered, in the order given (WhatsApp leaves out what it does not know).
  return {
    results: request.phones.map(
      (phone) =>
        known.get(phone) ?? { phone, exists: false, checkedAt: nowIso(new Date(deps.now())), cached: false },
    ),
  };
}

function secondsToUtcMidnight(now: number): number {
  const day = 86_400_000;
  return Math.ceil(((Math.floor(now / day) + 1) * day - now) / 1000);
}
