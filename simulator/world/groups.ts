import { randomBytes } from 'node:crypto';
import { jidDecode } from '@whiskeysockets/baileys';
import type { proto } from '@whiskeysockets/baileys';
import type { MessageKind } from './types.js';

/** A member's standing: `superadmin` is the creator, `admin` an admin, `member` neither. */
export type GroupRole = 'member' | 'admin' | 'superadmin';

/**
 * A message posted in a group, with what each member device made of it: the server fans one `skmsg` out to every
 * device, and each either decrypts it with the sender's key or cannot (it never got the distribution message).
 */
export interface GroupMessage {
  id: string;
  /** The group's id. */
  group: string;
  /** The sender's phone number and device. */
  from: string;
  fromDevice: number;
  type: MessageKind;
  text?: string;
  content?: Record<string, unknown>;
  /** A media post: the file as the first member device fetched and checked it (`error` when it could not). */
  media?: { mimetype: string; fileLength: number; sha256?: string; error?: string };
  timestamp: number;
  /** Device jids (`<lid>:<n>@lid`) of simulated devices that decrypted the skmsg. */
  decryptedBy: string[];
  /** Device jids that got the skmsg but held no sender key for it. */
  undecryptable: string[];
  /** Device jids the message carried a 1:1 copy (the sender key) for. */
  keyCopies: string[];
  /** Members' phones that reported it delivered / read to the sender. */
  deliveredTo: string[];
  readBy: string[];
  /** Retry receipts sent for it, by device jid: the last count each device asked with (`group-retry.ts`). */
  retries?: Record<string, number>;
  /** Resends of it by its sender that reached a device (the id again, after a retry receipt). */
  resends?: number;
}

/** A WhatsApp group as the server holds it. Members are phone numbers (accounts' and contacts' alike). */
export interface Group {
  /** The group's user part: `120363…`; its jid is `<id>@g.us`. */
  id: string;
  subject: string;
  subjectOwner: string;
  subjectTime: number;
  creator: string;
  creation: number;
  description?: { id: string; text: string; owner: string; time: number };
  /** Only admins may post. */
  announce: boolean;
  /** Only admins may edit the group info (subject, description, settings). */
  locked: boolean;
  /** Joining by link needs an admin's approval. */
  joinApproval: boolean;
  memberAddMode: 'admin_add' | 'all_member_add';
  participants: Map<string, GroupRole>;
  inviteCode: string;
  /** Pending join requests: phone -> epoch seconds. */
  requests: Map<string, number>;
  messages: GroupMessage[];
  /**
   * Which devices each simulated sender device already gave its sender key to (device jid -> device jids), as a
   * real client remembers: it sends the distribution message only to devices not in its set.
   */
  keySent: Map<string, Set<string>>;
}

export const GROUP_SERVER = 'g.us';
export const groupJid = (id: string): string => `${id}@${GROUP_SERVER}`;
export const MAX_GROUP_SIZE = 1024;

const newInviteCode = (): string => randomBytes(16).toString('base64url').slice(0, 22);
const seconds = (): number => Math.floor(Date.now() / 1000);

/** Every group the simulated server knows, by id. Pure state: the flows in `flows/group-*.ts` act on it. */
export class Groups {
  private readonly byId = new Map<string, Group>();
  private counter = 0;

  create(creator: string, subject: string, members: string[]): Group {
    this.counter += 1;
    // 18 digits starting 120363, as today's group ids do.
    const id = `120363${String(Date.now() % 1e9).padStart(9, '0')}${String(this.counter % 1000).padStart(3, '0')}`;
    const now = seconds();
    const group: Group = {
      id,
      subject,
      subjectOwner: creator,
      subjectTime: now,
      creator,
      creation: now,
      announce: false,
      locked: false,
      joinApproval: false,
      memberAddMode: 'admin_add',
      participants: new Map([[creator, 'superadmin' as GroupRole]]),
      inviteCode: newInviteCode(),
      requests: new Map(),
      messages: [],
      keySent: new Map(),
    };
    for (const m of members) if (m !== creator) group.participants.set(m, 'member');
    this.byId.set(id, group);
    return group;
  }

  /** By id or jid (`<id>@g.us`). */
  get(idOrJid: string): Group | undefined {
    const decoded = idOrJid.includes('@') ? jidDecode(idOrJid) : undefined;
    if (decoded && decoded.server !== GROUP_SERVER) return undefined;
    return this.byId.get(decoded?.user ?? idOrJid);
  }

  byInviteCode(code: string): Group | undefined {
    for (const g of this.byId.values()) if (g.inviteCode === code) return g;
    return undefined;
  }

  /** The groups `phone` is a member of. */
  of(phone: string): Group[] {
    return [...this.byId.values()].filter((g) => g.participants.has(phone));
  }

  revokeInvite(group: Group): string {
    group.inviteCode = newInviteCode();
    return group.inviteCode;
  }
}

export const isAdmin = (group: Group, phone: string): boolean => {
  const role = group.participants.get(phone);
  return role === 'admin' || role === 'superadmin';
};

/** The message a group post carries, as JSON (kept on the record; the proto itself is not). */
export const messageJson = (m: proto.Message): Record<string, unknown> =>
  m.toJSON() as Record<string, unknown>;
