/**
 * A contact's profile and the block list (docs/api.md, "Profiles and blocking"), each one host request on the
 * session's socket. Nothing is kept: a profile picture URL is WhatsApp's and expires, and the block list is
 * WhatsApp's to keep.
 */
import * as z from 'zod';
import { BlockedContactSchema, ContactProfileResultSchema } from '../contracts/host-request.js';
import { phoneToJid, PhoneSchema } from '../domain/phone.js';
import type { ControlPlaneDeps } from './deps.js';
import { askHost } from './host-requests.js';
import { loadSession } from './sessions.js';

type Deps = Pick<
  ControlPlaneDeps,
  'repos' | 'doorbell' | 'hostReplies' | 'hostRequestWaitMs' | 'now' | 'sleep'
>;

export const ContactProfileViewSchema = ContactProfileResultSchema.extend({ phone: PhoneSchema });
export type ContactProfileView = z.infer<typeof ContactProfileViewSchema>;
export const BlockViewSchema = z.object({ phone: PhoneSchema, blocked: z.boolean() });
export const BlocklistViewSchema = z.object({ items: z.array(BlockedContactSchema) });

export async function getContactProfile(
  deps: Deps,
  tenantId: string,
  sessionId: string,
  phone: string,
): Promise<ContactProfileView> {
  const session = await loadSession(deps, tenantId, sessionId);
  const profile = await askHost(deps, session, { kind: 'contacts.profile', jid: phoneToJid(phone) });
  return { phone, ...profile };
}

export async function setBlocked(
  deps: Deps,
  tenantId: string,
  sessionId: string,
  phone: string,
  blocked: boolean,
): Promise<z.infer<typeof BlockViewSchema>> {
  const session = await loadSession(deps, tenantId, sessionId);
  await askHost(deps, session, {
    kind: 'contacts.block',
    jid: phoneToJid(phone),
    action: blocked ? 'block' : 'unblock',
  });
  return { phone, blocked };
}

export async function listBlocked(
  deps: Deps,
  tenantId: string,
  sessionId: string,
): Promise<z.infer<typeof BlocklistViewSchema>> {
  const session = await loadSession(deps, tenantId, sessionId);
  return askHost(deps, session, { kind: 'contacts.blocklist' });
}
