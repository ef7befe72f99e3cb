/**
 * WhatsApp's reach-out timelock on top of Baileys rc14 (dossier item 4; docs/session-host.md, "Reach-out
 * timelock"). rc14 gets the account's lock wrong in two ways: its 463 branch never fetches the lock state (the
 * check for `MessageAccountRestriction` shadows it), and its notification handler reports today's
 * `RESTRICT_ALL_COMPANIONS` as `DEFAULT`. So this watch reads the raw stanzas itself:
 *
 * - an `<ack class="message" error="463">` or a `mex` notification (timelock or message capping) makes it fetch
 *   the state with `sock.fetchAccountReachoutTimelock()` (debounced: a burst of 463s costs one query);
 * - every change is written onto the session item (`restriction`), published as `session.restricted` and
 *   counted; the lock clears itself when `until` passes (WhatsApp sends nothing then);
 * - while locked, `refusal()` tells the send pipeline to fail a 1:1 send at once instead of letting WhatsApp
 *   count another reach-out against the account.
 */
import type { BinaryNode, WASocket } from '@whiskeysockets/baileys';
import { z } from 'zod';
import { makeEvent } from '../../shared/domain/events.js';
import type { SessionRestriction } from '../../shared/domain/session.js';
import type { EventBus } from '../../shared/ports/event-bus.js';
import type { SessionRepository } from '../../shared/ports/session-repository.js';
import { errorFields, type HostLogger } from '../logger.js';
import { METRIC, type HostMetrics } from '../metrics.js';

/** The ack error WhatsApp names `NackCallerReachoutTimelocked`. */
export const REACHOUT_TIMELOCKED_ACK = '463';

/** What the send pipeline asks before a 1:1 send (session-host/messaging/send.ts). */
export interface ReachoutGate {
  /**
   * A reason to refuse a send to `jid` now, or undefined to let it go: the account is timelocked and the contact
   * holds no trust token. `wroteToUs` is asked only then (it may cost a read).
   */
  refusal(jid: string, wroteToUs: () => Promise<boolean>): Promise<string | undefined>;
}

export interface ReachoutTimelockDeps {
  readonly socket: WASocket;
  readonly tenantId: string;
  readonly sessionId: string;
  readonly hostId: string;
  readonly sessions: SessionRepository;
  readonly events: EventBus;
  readonly metrics: HostMetrics;
  readonly log: HostLogger;
  /** Minimum gap between two fetches of the lock state (default 5 s). */
  readonly refreshGapMs?: number;
}

/** The `update` child of a mex notification: `{"data":{…}}` as WhatsApp sends it, validated at the edge. */
const mexPayloadSchema = z.object({ data: z.record(z.string(), z.unknown()).nullable().optional() });
const WATCHED_MEX_OPS = new Set(['NotificationUserReachoutTimelockUpdate', 'MessageCappingInfoNotification']);

const DEFAULT_REFRESH_GAP_MS = 5_000;
/** setTimeout's ceiling; a lock longer than ~24 days is re-armed when it fires. */
const MAX_TIMER_MS = 2_147_483_647;

type FetchedLock = Awaited<ReturnType<WASocket['fetchAccountReachoutTimelock']>>;

export class ReachoutTimelockWatch implements ReachoutGate {
  #restriction: SessionRestriction | undefined;
  #expiry: NodeJS.Timeout | undefined;
  #inFlight: Promise<void> | undefined;
  /** A notification arrived during a fetch: fetch once more after it. */
  #again: string | undefined;
  #lastFetchAt = 0;
  #disposed = false;
  readonly #gapMs: number;

  constructor(private readonly deps: ReachoutTimelockDeps) {
    this.#gapMs = deps.refreshGapMs ?? DEFAULT_REFRESH_GAP_MS;
    const { ws, ev } = deps.socket;
    ws.on('CB:ack,class:message', this.#onAck);
    ws.on('CB:notification,type:mex', this.#onMex);
    ev.on('connection.update', this.#onConnection);
  }

  /** The restriction in force, if any (a lapsed one counts as none). */
  get restriction(): SessionRestriction | undefined {
    return this.#current();
  }

  async refusal(jid: string, wroteToUs: () => Promise<boolean>): Promise<string | undefined> {
    const restriction = this.#current();
    if (!restriction) return undefined;
    if (!isOneToOne(jid)) return undefined;
    if ((await this.#holdsToken(jid)) || (await wroteToUs())) return undefined;
    const until = restriction.until ? ` until ${restriction.until}` : '';
    return `WhatsApp restricts this account from starting new chats${until} (${restriction.type})`;
  }

  /**
   * Fetches the lock state now: at most one query in flight, and not again within the gap unless `news` (a
   * notification), which also queues one more fetch after an in-flight one that may predate it.
   */
  refresh(why: string, news = false): Promise<void> {
    if (this.#disposed) return Promise.resolve();
    if (this.#inFlight) {
      if (news) this.#again = why;
      return this.#inFlight;
    }
    if (!news && Date.now() - this.#lastFetchAt < this.#gapMs) return Promise.resolve();
    this.#lastFetchAt = Date.now();
    this.#inFlight = this.deps.socket
      .fetchAccountReachoutTimelock()
      .then((lock) => this.#apply(lock, why))
      .catch((error: unknown) =>
        this.deps.log.warn('reach-out timelock not fetched', { why, ...errorFields(error) }),
      )
      .finally(() => {
        this.#inFlight = undefined;
        const again = this.#again;
        this.#again = undefined;
        if (again) void this.refresh(again, true);
      });
    return this.#inFlight;
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    clearTimeout(this.#expiry);
    const { ws, ev } = this.deps.socket;
    ws.off('CB:ack,class:message', this.#onAck);
    ws.off('CB:notification,type:mex', this.#onMex);
    ev.off('connection.update', this.#onConnection);
  }

  readonly #onAck = (node: BinaryNode): void => {
    if (node.attrs.error !== REACHOUT_TIMELOCKED_ACK) return;
    void this.refresh('ack 463');
  };

  readonly #onMex = (node: BinaryNode): void => {
    const update = Array.isArray(node.content) ? node.content.find((c) => c.tag === 'update') : undefined;
    const op = update?.attrs.op_name;
    if (!op || !WATCHED_MEX_OPS.has(op)) return;
    if (!mexPayloadSchema.safeParse(parseJson(update.content)).success) {
      // rc14 acks every notification itself; a malformed one is only worth a line in the log.
      this.deps.log.warn('malformed mex notification ignored', { op });
      return;
    }
    void this.refresh(op, true);
  };

  readonly #onConnection = (update: { connection?: string }): void => {
    if (update.connection === 'close') this.dispose();
  };

  #current(): SessionRestriction | undefined {
    const r = this.#restriction;
    if (r?.until && Date.parse(r.until) <= Date.now()) return undefined;
    return r;
  }

  async #apply(lock: FetchedLock, why: string): Promise<void> {
    const ends = lock.timeEnforcementEnds;
    const next: SessionRestriction | undefined =
      lock.isActive && (!ends || ends.getTime() > Date.now())
        ? {
            active: true,
            ...(ends ? { until: ends.toISOString() } : {}),
            type: lock.enforcementType ?? 'DEFAULT',
          }
        : undefined;
    await this.#set(next, why);
  }

  async #set(next: SessionRestriction | undefined, why: string): Promise<void> {
    if (this.#disposed) return;
    // What the session item shows: a lapsed lock still stands there until cleared here.
    const previous = this.#restriction;
    this.#restriction = next;
    this.#armExpiry();
    if (sameRestriction(previous, next)) return;
    const { deps } = this;
    const fields = { sessionId: deps.sessionId, why };
    if (next) {
      deps.metrics.count(METRIC.sessionsRestricted);
      deps.log.warn('WhatsApp restricted the account (reach-out timelock)', { ...fields, ...next });
    } else {
      deps.log.info('reach-out timelock lifted', fields);
    }
    try {
      await deps.sessions.updateDetails(
        deps.sessionId,
        { restriction: next ?? null },
        { hostId: deps.hostId },
      );
    } catch (error) {
      // The lease keeper notices a lost lease on its own; the restriction is re-read at the next connect.
      deps.log.warn('restriction not stored on the session', { ...fields, ...errorFields(error) });
    }
    const data = next ?? { active: false, type: previous?.type ?? 'DEFAULT' };
    await deps.events
      .publish([
        makeEvent('session.restricted', { tenantId: deps.tenantId, sessionId: deps.sessionId, data }),
      ])
      .catch((error: unknown) =>
        deps.log.warn('session.restricted not published', { ...fields, ...errorFields(error) }),
      );
  }

  /** WhatsApp says nothing when a lock lapses: clear it ourselves when `until` passes. */
  #armExpiry(): void {
    clearTimeout(this.#expiry);
    this.#expiry = undefined;
    const until = this.#restriction?.until;
    if (!until) return;
    const delay = Math.min(Math.max(0, Date.parse(until) - Date.now()), MAX_TIMER_MS);
    this.#expiry = setTimeout(() => {
      const r = this.#restriction;
      if (r?.until && Date.parse(r.until) <= Date.now()) void this.#set(undefined, 'until passed');
      else this.#armExpiry();
    }, delay);
    this.#expiry.unref();
  }

  /** rc14 keeps the trust tokens (tctoken) it got under the contact's LID, sometimes its PN. */
  async #holdsToken(jid: string): Promise<boolean> {
    const { socket } = this.deps;
    try {
      const lid = await socket.signalRepository.lidMapping.getLIDForPN(jid);
      const keys = [jid, ...(lid ? [lid] : [])];
      const found = await socket.authState.keys.get('tctoken', keys);
      return keys.some((k) => found[k]?.token?.length);
    } catch (error) {
      this.deps.log.debug('trust token lookup failed', errorFields(error));
      return false;
    }
  }
}

const isOneToOne = (jid: string): boolean => jid.endsWith('@s.whatsapp.net') || jid.endsWith('@lid');

const parseJson = (content: BinaryNode['content']): unknown => {
  if (!(content instanceof Uint8Array) && typeof content !== 'string') return undefined;
  try {
    return JSON.parse(Buffer.from(content).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
};

const sameRestriction = (a: SessionRestriction | undefined, b: SessionRestriction | undefined): boolean =>
  a?.active === b?.active && a?.until === b?.until && a?.type === b?.type;
