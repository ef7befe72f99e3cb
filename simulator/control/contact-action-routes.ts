/**
 * Control routes for what contacts send beyond text, reactions and media (docs/simulator.md, "Contacts: polls,
 * edits, revokes, locations and contact cards"). Each answers 201 with the contact's outbox entry.
 */
import { z } from 'zod';
import type { OutboxEntry } from '../world/types.js';
import type { WhatsAppSimulator } from '../simulator.js';

const phone = z.string().regex(/^\+?\d{6,15}$/, 'a phone number: 6-15 digits, optional leading +');
const messageId = z.string().min(1).max(128);

export const contactLocationBody = z
  .object({
    to: phone,
    latitude: z.number().min(-90).max(90),
    longitude: z.number().min(-180).max(180),
    name: z.string().max(1000).optional(),
    address: z.string().max(1000).optional(),
  })
  .strict();
export const contactCardBody = z
  .object({ to: phone, name: z.string().min(1).max(256), phones: z.array(phone).min(1).max(10) })
  .strict();
export const contactPollBody = z
  .object({
    to: phone,
    name: z.string().min(1).max(255),
    options: z.array(z.string().min(1).max(100)).min(2).max(12),
    selectableCount: z.number().int().min(0).max(12).default(1),
  })
  .strict();
export const contactVoteBody = z
  .object({ to: phone, pollId: messageId, options: z.array(z.string().max(100)).max(12) })
  .strict();
export const contactEditBody = z
  .object({ to: phone, messageId, text: z.string().min(1).max(65_536) })
  .strict();
export const contactRevokeBody = z.object({ to: phone, messageId }).strict();

interface ActionRoute {
  method: 'POST';
  pattern: RegExp;
  run: (
    sim: WhatsAppSimulator,
    params: string[],
    body: unknown,
  ) => Promise<{ status: number; body: unknown }>;
}

const PHONE = '(\\+?\\d{6,15})';
const at = (suffix: string): RegExp => new RegExp(`^/contacts/${PHONE}/${suffix}$`);
const created = (entry: OutboxEntry) => ({ status: 201, body: entry });
const from = (params: string[]): string => decodeURIComponent(params[0] ?? '');

export const CONTACT_ACTION_ROUTES: readonly ActionRoute[] = [
  {
    method: 'POST',
    pattern: at('send-location'),
    run: async (sim, p, body) => {
      const { to, ...location } = contactLocationBody.parse(body);
      return created(await sim.contactActions.sendLocation(from(p), to, location));
    },
  },
  {
    method: 'POST',
    pattern: at('send-contact'),
    run: async (sim, p, body) => {
      const { to, ...card } = contactCardBody.parse(body);
      return created(await sim.contactActions.sendContactCard(from(p), to, card));
    },
  },
  {
    method: 'POST',
    pattern: at('send-poll'),
    run: async (sim, p, body) => {
      const { to, ...poll } = contactPollBody.parse(body);
      return created(await sim.contactActions.sendPoll(from(p), to, poll));
    },
  },
  {
    method: 'POST',
    pattern: at('vote'),
    run: async (sim, p, body) => {
      const { to, pollId, options } = contactVoteBody.parse(body);
      return created(await sim.contactActions.vote(from(p), to, pollId, options));
    },
  },
  {
    method: 'POST',
    pattern: at('edit'),
    run: async (sim, p, body) => {
      const { to, messageId: id, text } = contactEditBody.parse(body);
      return created(await sim.contactActions.edit(from(p), to, id, text));
    },
  },
  {
    method: 'POST',
    pattern: at('revoke'),
    run: async (sim, p, body) => {
      const { to, messageId: id } = contactRevokeBody.parse(body);
      return created(await sim.contactActions.revoke(from(p), to, id));
    },
  },
];
