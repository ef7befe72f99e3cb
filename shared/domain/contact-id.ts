import * as z from 'zod';
import { E164_PATTERN, GROUP_ID_PATTERN, LID_SERVER, PhoneSchema, USER_SERVER } from './phone.js';

/**
 * A contact's WhatsApp LID ("linked identity"): the opaque number WhatsApp addresses people by since its 2026
 * migration, the digits of `<lid>@lid`. It does not reveal the phone number; Meta's business-scoped ids are the
 * same idea.
 */
const LID_PATTERN = /^\d{1,24}$/;
export const LidSchema = z.string().regex(LID_PATTERN, 'must be a LID: the digits of <lid>@lid');
export type Lid = z.infer<typeof LidSchema>;

/**
 * Who a contact is: the phone number when it is known, the LID when it is known, at least one of them. A
 * LID-only contact is someone whose number WhatsApp has not revealed (yet).
 */
export const ContactIdSchema = z
  .object({ phone: PhoneSchema.optional(), lid: LidSchema.optional() })
  .refine((c) => c.phone !== undefined || c.lid !== undefined, 'must name a phone or a lid');
export type ContactId = z.infer<typeof ContactIdSchema>;

/** One learned correspondence between a LID and a phone number. */
export const LidPhonePairSchema = z.object({ lid: LidSchema, phone: PhoneSchema });
export type LidPhonePair = z.infer<typeof LidPhonePairSchema>;

/** `123456789@lid` (any device) -> `123456789`; null for anything else. */
export function lidOfJid(jid: string | null | undefined): Lid | null {
  const match = /^(\d+)(?::\d+)?@lid$/.exec(jid ?? '');
  return match?.[1] ?? null;
}

export function lidToJid(lid: Lid): string {
  return `${lid}@${LID_SERVER}`;
}

/** The `lid:` prefix of a chat key that names a LID-only contact (`?chat=lid:123456789`). */
const LID_CHAT_PREFIX = 'lid:';

/**
 * `?chat=` names a chat by the contact's E.164 number, `lid:<digits>` for a LID-only contact, or a group's id.
 */
export const ChatKeySchema = z
  .string()
  .refine(
    (s) =>
      E164_PATTERN.test(s) ||
      GROUP_ID_PATTERN.test(s) ||
      (s.startsWith(LID_CHAT_PREFIX) && LID_PATTERN.test(s.slice(LID_CHAT_PREFIX.length))),
    'must be an E.164 phone number (+15551234567), lid:<digits> for a contact known only by LID, or a group id (<digits>@g.us)',
  );

/** The chat jid a chat key names: the phone-number jid, the LID jid for a LID-only contact, or the group id. */
export function chatKeyToJid(key: string): string {
  if (GROUP_ID_PATTERN.test(key)) return key;
  if (key.startsWith(LID_CHAT_PREFIX)) return lidToJid(key.slice(LID_CHAT_PREFIX.length));
  return `${key.slice(1)}@${USER_SERVER}`;
}
