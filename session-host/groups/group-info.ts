/**
 * Baileys' `GroupMetadata` as the API's `GroupInfo`: members by phone and/or LID (whatever WhatsApp revealed;
 * a LID-addressed group names members by LID and adds `phone_number` when it discloses it), roles, settings.
 * A LID the group did not pair with a number is looked up in what the session learned before (`phoneForLid`).
 */
import type { GroupMetadata, GroupParticipant as BaileysParticipant } from '@whiskeysockets/baileys';
import { lidOfJid } from '../../shared/domain/contact-id.js';
import type { GroupInfo, GroupMemberId, GroupParticipant, GroupRole } from '../../shared/domain/group.js';
import { nowIso } from '../../shared/domain/ids.js';
import { jidToPhone, normalizeJid } from '../../shared/domain/phone.js';

/** The number behind a LID jid when the session knows it, else null. */
export type PhoneForLid = (lidJid: string) => Promise<string | null>;

const noLookup: PhoneForLid = () => Promise.resolve(null);

export async function memberOf(
  jid: string | undefined,
  alt: string | undefined,
  phoneForLid: PhoneForLid = noLookup,
): Promise<GroupMemberId | null> {
  if (!jid) return null;
  const ids = [jid, alt].filter((j): j is string => typeof j === 'string' && j.length > 0);
  let phone = ids.map((j) => jidToPhone(j)).find((p) => p !== null) ?? undefined;
  const lid = ids.map((j) => lidOfJid(normalizeJid(j))).find((l) => l !== null) ?? undefined;
  if (!phone && lid) {
    const known = await phoneForLid(`${lid}@lid`).catch(() => null);
    phone = (known ? jidToPhone(known) : null) ?? undefined;
  }
  if (!phone && !lid) return null;
  return { ...(phone ? { phone } : {}), ...(lid ? { lid } : {}) };
}

function roleOf(p: BaileysParticipant): GroupRole {
  if (p.admin === 'superadmin' || p.isSuperAdmin) return 'superadmin';
  if (p.admin === 'admin' || p.isAdmin) return 'admin';
  return 'member';
}

export async function participantOf(
  p: BaileysParticipant,
  phoneForLid: PhoneForLid = noLookup,
): Promise<GroupParticipant | null> {
  const alt = p.phoneNumber ?? p.lid;
  const member = await memberOf(p.id, alt, phoneForLid);
  return member ? { ...member, role: roleOf(p) } : null;
}

export async function groupInfoOf(
  meta: GroupMetadata,
  phoneForLid: PhoneForLid = noLookup,
): Promise<GroupInfo> {
  const participants = (
    await Promise.all((meta.participants ?? []).map((p) => participantOf(p, phoneForLid)))
  ).filter((p): p is GroupParticipant => p !== null);
  const owner = await memberOf(meta.owner, meta.ownerPn, phoneForLid);
  return {
    id: meta.id,
    subject: meta.subject ?? '',
    ...(meta.desc ? { description: meta.desc } : {}),
    ...(owner ? { owner } : {}),
    ...(meta.creation ? { createdAt: nowIso(new Date(meta.creation * 1000)) } : {}),
    announce: meta.announce === true,
    locked: meta.restrict === true,
    joinApproval: meta.joinApprovalMode === true,
    size: meta.size ?? participants.length,
    participants,
  };
}
