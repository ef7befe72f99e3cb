/**
 * What one session's WhatsApp account knows of its contacts' LID <-> phone pairs, kept in DynamoDB
 * (`LidMappingRepository`) so it outlives the socket and the host. WhatsApp reveals a pair through history sync
 * (`messaging-history.set.lidPnMappings`), Baileys' `lid-mapping.update`, the alternate address on an incoming
 * stanza (`sender_pn` / `sender_lid`, Baileys' `remoteJidAlt` / `participantAlt`) and lookups (usync, through
 * `signalRepository.lidMapping`). Failures here are logged and answered "unknown": a send then goes by phone
 * number (463 for a migrated contact, reported as such), a message is stored with what its stanza said.
 */
import type { BaileysEventMap, WASocket } from '@whiskeysockets/baileys';
import { lidOfJid, lidToJid, type Lid, type LidPhonePair } from '../../shared/domain/contact-id.js';
import { jidToPhone, phoneToJid, type Phone } from '../../shared/domain/phone.js';
import type { LidMappingRepository } from '../../shared/ports/lid-mapping-repository.js';
import type { MessagingLogger } from '../messaging/deps.js';

/** A pair as Baileys gives it: jids, either way round in some places, device parts included. */
export interface JidPair {
  readonly lid?: string | null;
  readonly pn?: string | null;
}

/** `{lid, pn}` jids -> a pair of our shapes, or null when either side is not what it claims to be. */
export function pairOfJids(jids: JidPair): LidPhonePair | null {
  const lid = lidOfJid(jids.lid);
  const phone = jids.pn ? jidToPhone(jids.pn) : null;
  return lid && phone ? { lid, phone } : null;
}

export class SessionLidMap {
  readonly #byPhone = new Map<Phone, Lid>();
  readonly #byLid = new Map<Lid, Phone>();

  constructor(
    private readonly repo: LidMappingRepository,
    private readonly session: { readonly sessionId: string; readonly socket: WASocket },
    private readonly log: MessagingLogger,
  ) {}

  /** Learns from the socket's mapping events until the returned function is called. */
  listen(): () => void {
    const ev = this.session.socket.ev;
    const onMapping = (mapping: BaileysEventMap['lid-mapping.update']): void => void this.learn([mapping]);
    const onHistory = (history: BaileysEventMap['messaging-history.set']): void => {
      if (history.lidPnMappings?.length) void this.learn(history.lidPnMappings);
    };
    ev.on('lid-mapping.update', onMapping);
    ev.on('messaging-history.set', onHistory);
    return () => {
      ev.off('lid-mapping.update', onMapping);
      ev.off('messaging-history.set', onHistory);
    };
  }

  /** Stores the pairs this process has not stored yet; malformed ones are skipped. Never throws. */
  async learn(jidPairs: readonly JidPair[]): Promise<void> {
    const fresh = jidPairs
      .map(pairOfJids)
      .filter((p): p is LidPhonePair => p !== null && this.#byPhone.get(p.phone) !== p.lid);
    if (fresh.length === 0) return;
    for (const p of fresh) this.#remember(p);
    try {
      await this.repo.record(this.session.sessionId, fresh);
    } catch (error) {
      for (const p of fresh) this.#forget(p);
      this.#warn('lid mappings not stored', error, { count: fresh.length });
    }
  }

  /**
   * The contact's LID: known here, stored, or (with `lookup`, for sends) asked of WhatsApp through Baileys'
   * `getLIDForPN` (its key store, then usync); null when none is known.
   */
  async lidFor(phone: Phone, options: { readonly lookup: boolean }): Promise<Lid | null> {
    const known = this.#byPhone.get(phone) ?? (await this.#stored(() => this.repo.lidFor(this.#id, phone)));
    if (known) {
      this.#remember({ lid: known, phone });
      return known;
    }
    if (!options.lookup) return null;
    const pn = phoneToJid(phone);
    const lid = await this.#lookup(() => this.session.socket.signalRepository.lidMapping.getLIDForPN(pn));
    if (lid) await this.learn([{ lid, pn }]);
    return lidOfJid(lid);
  }

  /**
   * The phone number behind a LID, when WhatsApp revealed it (null for a contact that hides it); Baileys' own
   * store is asked last (no network).
   */
  async phoneFor(lid: Lid): Promise<Phone | null> {
    const known = this.#byLid.get(lid) ?? (await this.#stored(() => this.repo.phoneFor(this.#id, lid)));
    if (known) {
      this.#remember({ lid, phone: known });
      return known;
    }
    const jid = lidToJid(lid);
    const pn = await this.#lookup(() => this.session.socket.signalRepository.lidMapping.getPNForLID(jid));
    if (pn) await this.learn([{ lid: jid, pn }]);
    return pn ? jidToPhone(pn) : null;
  }

  get #id(): string {
    return this.session.sessionId;
  }

  #remember(pair: LidPhonePair): void {
    this.#byPhone.set(pair.phone, pair.lid);
    this.#byLid.set(pair.lid, pair.phone);
  }

  #forget(pair: LidPhonePair): void {
    if (this.#byPhone.get(pair.phone) === pair.lid) this.#byPhone.delete(pair.phone);
    if (this.#byLid.get(pair.lid) === pair.phone) this.#byLid.delete(pair.lid);
  }

  async #stored<T>(read: () => Promise<T | null>): Promise<T | null> {
    try {
      return await read();
    } catch (error) {
      this.#warn('lid mapping not read', error);
      return null;
    }
  }

  async #lookup(find: () => Promise<string | null | undefined>): Promise<string | null> {
    try {
      return (await find()) ?? null;
    } catch (error) {
      this.#warn('lid lookup failed', error);
      return null;
    }
  }

  #warn(message: string, error: unknown, extra: Record<string, unknown> = {}): void {
    this.log.warn(message, {
      sessionId: this.session.sessionId,
      ...extra,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
