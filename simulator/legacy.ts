import { z } from 'zod';

/**
 * The simulator models WhatsApp's server as it behaves today (late 2026). Each entry here is one way today's
 * server differs from the early-2026 one that Baileys 7.0.0-rc14 was written against; naming it in `legacy`
 * switches that drift off, so a test can show stock rc14 working on the old server and failing on today's
 * (docs/whatsapp-compatibility.md lists each drift and the host's fix).
 */
export const LEGACY_BEHAVIOURS = [
  /** QR scans get pair-success at once, with no `companion_reg_refresh` first. */
  'no-companion-reg-refresh',
  /** Pairing-code notifications without `stage`, no empty/`refresh_code` variants, any display name accepted. */
  'no-pair-code-variants',
  /** An undecryptable message NACKed at the head of the offline queue does not hold back the rest. */
  'no-offline-queue-stall',
  /** No reach-out timelock: 463 never comes, whatever the account's state. */
  'no-timelock',
  /** Media never expires on the CDN (no 404/410 for old files). */
  'no-media-expiry',
  /** Retry receipts come from the contact's phone-number jid, never from its LID device. */
  'no-lid-retry-receipts',
  /** Phone-number-addressed 1:1 sends reach contacts migrated to LID addressing (no ack 463 for them). */
  'no-pn-send-refusal',
] as const;

export const legacyBehaviourSchema = z.enum(LEGACY_BEHAVIOURS);
export type LegacyBehaviour = z.infer<typeof legacyBehaviourSchema>;

/** The set of old behaviours in force; empty (today's server) by default. */
export class LegacySwitches {
  private readonly on = new Set<LegacyBehaviour>();

  constructor(initial: Iterable<LegacyBehaviour> = []) {
    for (const b of initial) this.on.add(b);
  }

  has(behaviour: LegacyBehaviour): boolean {
    return this.on.has(behaviour);
  }

  set(behaviours: Iterable<LegacyBehaviour>): void {
    this.on.clear();
    for (const b of behaviours) this.on.add(b);
  }

  list(): LegacyBehaviour[] {
    return [...this.on];
  }
}
