import * as z from 'zod';

/** E.164: a `+`, then 7 to 15 digits, the first not 0. No spaces, dashes or brackets. */
export const E164_PATTERN = /^\+[1-9]\d{6,14}$/;

/** A group's WhatsApp id: `120363012345678901@g.us`, or `<creator phone>-<seconds>@g.us` for old groups. */
export const GROUP_ID_PATTERN = /^\d{5,24}(-\d{1,12})?@g\.us$/;

export const PhoneSchema = z
  .string()
  .regex(E164_PATTERN, 'must be an E.164 phone number: + then 7-15 digits, no spaces (e.g. +15551234567)');
export type Phone = z.infer<typeof PhoneSchema>;

export const USER_SERVER = 's.whatsapp.net';
export const GROUP_SERVER = 'g.us';
export const LID_SERVER = 'lid';
export const BROADCAST_SERVER = 'broadcast';

/** Accepted as a user server too: older clients and some stanzas still use it. */
const LEGACY_USER_SERVER = 'c.us';

interface ParsedJid {
  user: string;
  agent?: string;
  device?: string;
  server: string;
}

/**
 * Splits `user[_agent][:device]@server`. Multi-device jids carry the device after `:` and sometimes an agent
 * after `_`; both identify one of the account's linked devices, not a different account.
 */
function parseJid(jid: string): ParsedJid | null {
  const at = jid.lastIndexOf('@');
  if (at <= 0 || at === jid.length - 1) return null;
  const server = jid.slice(at + 1);
  const local = jid.slice(0, at);
  const match = /^([^_:]+)(?:_(\d+))?(?::(\d+))?$/.exec(local);
  if (!match?.[1]) return null;
  const parsed: ParsedJid = { user: match[1], server };
  if (match[2] !== undefined) parsed.agent = match[2];
  if (match[3] !== undefined) parsed.device = match[3];
  return parsed;
}

/** `+15551234567` -> `15551234567@s.whatsapp.net`. Throws on a number that is not E.164. */
export function phoneToJid(phone: string): string {
  if (!E164_PATTERN.test(phone)) throw new TypeError('phoneToJid: not an E.164 phone number');
  return `${phone.slice(1)}@${USER_SERVER}`;
}

/** True for a person's phone-number jid (any device). LIDs are not: they hide the number. */
export function isUserJid(jid: string): boolean {
  const parsed = parseJid(jid);
  return (
    parsed !== null &&
    (parsed.server === USER_SERVER || parsed.server === LEGACY_USER_SERVER) &&
    /^[1-9]\d{6,14}$/.test(parsed.user)
  );
}

export function isGroupJid(jid: string): boolean {
  return parseJid(jid)?.server === GROUP_SERVER;
}

export function isLidJid(jid: string): boolean {
  return parseJid(jid)?.server === LID_SERVER;
}

/** `status@broadcast` and broadcast lists: never a chat we can answer one-to-one. */
export function isBroadcastJid(jid: string): boolean {
  return parseJid(jid)?.server === BROADCAST_SERVER;
}

/**
 * The phone number behind a user jid, or null when the jid does not reveal one (LID, group, broadcast, status,
 * newsletter, malformed). `15551234567:12@s.whatsapp.net` -> `+15551234567`.
 */
export function jidToPhone(jid: string): Phone | null {
  if (!isUserJid(jid)) return null;
  const parsed = parseJid(jid);
  return parsed ? `+${parsed.user}` : null;
}

/**
 * Drops agent and device so every device of one account maps to one chat:
 * `15551234567:3@s.whatsapp.net` -> `15551234567@s.whatsapp.net`; `c.us` becomes `s.whatsapp.net`.
 * Returns the input unchanged when it is not a jid (callers store what they got rather than lose it).
 */
export function normalizeJid(jid: string): string {
  const parsed = parseJid(jid);
  if (!parsed) return jid;
  const server = parsed.server === LEGACY_USER_SERVER ? USER_SERVER : parsed.server;
  return `${parsed.user}@${server}`;
}
