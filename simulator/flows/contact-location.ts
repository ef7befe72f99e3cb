import type { Account, Contact, OutboxEntry } from '../world/types.js';
import type { SimContext } from './context.js';
import { contactSendsMessage } from './receive.js';

export interface ContactLocation {
  latitude: number;
  longitude: number;
  name?: string;
  address?: string;
}

/** A contact shares a location (a pinned place, not a live location), as a phone's "Location" attachment does. */
export const contactSendsLocation = (
  ctx: SimContext,
  contact: Contact,
  account: Account,
  location: ContactLocation,
): Promise<OutboxEntry> =>
  contactSendsMessage(
    ctx,
    contact,
    account,
    {
      locationMessage: {
        degreesLatitude: location.latitude,
        degreesLongitude: location.longitude,
        ...(location.name !== undefined ? { name: location.name } : {}),
        ...(location.address !== undefined ? { address: location.address } : {}),
      },
    },
    { type: 'location', ...(location.name !== undefined ? { text: location.name } : {}) },
    'media',
  );
