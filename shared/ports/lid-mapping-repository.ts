/**
 * Per session, the LID <-> phone number correspondences the session's WhatsApp account has learned (history
 * sync, message attributes, lookups). WhatsApp addresses migrated contacts by LID only, and refuses a send to
 * their phone number (463), so a send to a phone looks its LID up here; a message from a LID finds its phone.
 */
import type { Lid, LidPhonePair } from '../domain/contact-id.js';
import type { Phone } from '../domain/phone.js';

export interface LidMappingRepository {
  /** Stores each pair in both directions; a newer pair for the same LID or phone replaces the older. */
  record(sessionId: string, pairs: readonly LidPhonePair[]): Promise<void>;
  lidFor(sessionId: string, phone: Phone): Promise<Lid | null>;
  phoneFor(sessionId: string, lid: Lid): Promise<Phone | null>;
}
