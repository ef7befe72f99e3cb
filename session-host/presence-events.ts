/**
 * `presence.updated` (docs/events-and-webhooks.md): what Baileys reports of the contacts the session subscribed
 * to (`presence.update`: online/offline with last seen, typing/recording in their 1:1 chat with the session),
 * published straight to the bus. They are moments, not state: an outage loses them rather than replaying stale
 * "typing..." minutes later, so they skip the host's event outbox. Group presences are left out (no group API).
 */
import type { BaileysEventMap, WASocket } from '@whiskeysockets/baileys';
import { lidOfJid, type ContactId } from '../shared/domain/contact-id.js';
import { makeEvent, type PresenceState } from '../shared/domain/events.js';
import { nowIso } from '../shared/domain/ids.js';
import { jidToPhone } from '../shared/domain/phone.js';
import type { EventBus } from '../shared/ports/event-bus.js';
import type { LidMappingRepository } from '../shared/ports/lid-mapping-repository.js';
import { errorFields, type HostLogger } from './logger.js';

export interface PresenceEventsDeps {
  readonly tenantId: string;
  readonly sessionId: string;
  readonly events: EventBus;
  /** Names a LID-addressed contact by its number too, when the session learned it. */
  readonly lidMappings?: Pick<LidMappingRepository, 'phoneFor'>;
  readonly log: HostLogger;
}

type PresenceUpdate = BaileysEventMap['presence.update'];

/** Publishes the socket's presence updates until the socket ends (listeners go with its event emitter). */
export function watchPresence(socket: Pick<WASocket, 'ev'>, deps: PresenceEventsDeps): void {
  socket.ev.on('presence.update', (update) => {
    publish(update, deps).catch((error: unknown) =>
      deps.log.warn('presence event not published', errorFields(error)),
    );
  });
}

async function publish({ id, presences }: PresenceUpdate, deps: PresenceEventsDeps): Promise<void> {
  if (id.endsWith('@g.us')) return;
  const events = [];
  for (const [jid, presence] of Object.entries(presences)) {
    const contact = await contactOf(jid, deps);
    const state = presenceState(presence.lastKnownPresence);
    if (!contact || !state) continue;
    const lastSeen = presence.lastSeen ? nowIso(new Date(presence.lastSeen * 1000)) : undefined;
    events.push(
      makeEvent('presence.updated', {
        tenantId: deps.tenantId,
        sessionId: deps.sessionId,
        data: { contact, presence: state, ...(lastSeen ? { lastSeen } : {}) },
      }),
    );
  }
  if (events.length > 0) await deps.events.publish(events);
}

async function contactOf(jid: string, deps: PresenceEventsDeps): Promise<ContactId | null> {
  const phone = jidToPhone(jid);
  if (phone) return { phone };
  const lid = lidOfJid(jid);
  if (!lid) return null;
  const known = await deps.lidMappings?.phoneFor(deps.sessionId, lid).catch(() => null);
  return known ? { phone: known, lid } : { lid };
}

/** Baileys' `paused` already arrives as `available`; anything else unknown is dropped. */
function presenceState(value: string): PresenceState | null {
  switch (value) {
    case 'available':
    case 'unavailable':
    case 'composing':
    case 'recording':
      return value;
    case 'paused':
      return 'available';
    default:
      return null;
  }
}
