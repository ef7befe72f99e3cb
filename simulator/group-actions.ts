/**
 * Groups on the simulated server (issue #16), from the side of simulated people: a contact creates a group, posts,
 * replies, reacts, changes the subject or settings, adds / removes / promotes members, shares or resets the link,
 * joins by code, approves join requests, leaves. Also what tests read back (the group as the server holds it and
 * what each member device made of each message). `WhatsAppSimulator.groups` and the control routes call this.
 */
import { SimulatorError } from './errors.js';
import type { SimContext } from './flows/context.js';
import { createGroup } from './flows/group-create.js';
import { contactPostsToGroup } from './flows/group-contact-send.js';
import type { GroupPost } from './flows/group-contact-send.js';
import { inviteCode, joinByCode, revokeInvite } from './flows/group-invite.js';
import { actOnJoinRequests } from './flows/group-join-requests.js';
import type { JoinRequestAction } from './flows/group-join-requests.js';
import { leaveGroup } from './flows/group-leave.js';
import { memberOf, requireGroup, requireMember } from './flows/group-notify.js';
import type { Member } from './flows/group-notify.js';
import { changeParticipants } from './flows/group-participants.js';
import type { ParticipantAction, ParticipantResult } from './flows/group-participants.js';
import { groupReceipt } from './flows/group-send.js';
import { contactDeviceIds, contactPeer } from './flows/lid-addressing.js';
import { changeGroupSetting } from './flows/group-settings.js';
import type { GroupSettingChange } from './flows/group-settings.js';
import { groupJid } from './world/groups.js';
import type { Group, GroupMessage, GroupRole } from './world/groups.js';
import { lidJid, normalizePhone } from './world/world.js';

/** A group as JSON: what the control API answers. */
export interface GroupView {
  id: string;
  jid: string;
  subject: string;
  description?: string;
  creator: string;
  announce: boolean;
  locked: boolean;
  joinApproval: boolean;
  memberAddMode: 'admin_add' | 'all_member_add';
  inviteCode: string;
  participants: { phone: string; lid: string; role: GroupRole }[];
  requests: { phone: string; at: number }[];
}

export class GroupActions {
  constructor(private readonly ctx: SimContext) {}

  view(group: Group): GroupView {
    return {
      id: group.id,
      jid: groupJid(group.id),
      subject: group.subject,
      ...(group.description ? { description: group.description.text } : {}),
      creator: group.creator,
      announce: group.announce,
      locked: group.locked,
      joinApproval: group.joinApproval,
      memberAddMode: group.memberAddMode,
      inviteCode: group.inviteCode,
      participants: [...group.participants].map(([phone, role]) => ({
        phone,
        lid: lidJid(memberOf(this.ctx, phone)?.lid ?? ''),
        role,
      })),
      requests: [...group.requests].map(([phone, at]) => ({ phone, at })),
    };
  }

  get(id: string): GroupView {
    return this.view(requireGroup(this.ctx, id));
  }

  /** The groups `phone` is in (every group when no phone is given). */
  list(phone?: string): GroupView[] {
    const groups = phone
      ? this.ctx.world.groups.of(normalizePhone(phone))
      : [...this.ctx.world.accounts.keys(), ...this.ctx.world.contacts.keys()]
          .flatMap((p) => this.ctx.world.groups.of(p))
          .filter((g, i, all) => all.indexOf(g) === i);
    return groups.map((g) => this.view(g));
  }

  /** Contact `creator` creates a group with `members` (accounts or contacts, by phone). */
  create(creator: string, subject: string, members: string[]): GroupView {
    const group = createGroup(
      this.ctx,
      this.#contact(creator),
      subject,
      members.map((p) => requireMember(this.ctx, normalizePhone(p))),
    );
    return this.view(group);
  }

  /** Contact `from` posts a text, a reply or a reaction in group `id`. */
  post(id: string, from: string, post: GroupPost): Promise<GroupMessage> {
    const contact = this.#contact(from).contact;
    if (!contact) throw new SimulatorError(404, 'unknown_contact', from);
    return contactPostsToGroup(this.ctx, requireGroup(this.ctx, id), contact, post);
  }

  /** What was posted in group `id`, with which simulated devices decrypted each message. */
  messages(id: string): GroupMessage[] {
    return requireGroup(this.ctx, id).messages.map((m) => ({ ...m }));
  }

  participants(id: string, actor: string, action: ParticipantAction, phones: string[]): ParticipantResult[] {
    const targets = phones.map((p) => {
      const member = memberOf(this.ctx, normalizePhone(p));
      return { jid: p, ...(member ? { member } : {}) };
    });
    return changeParticipants(this.ctx, requireGroup(this.ctx, id), this.#contact(actor), action, targets);
  }

  setting(id: string, actor: string, change: GroupSettingChange): GroupView {
    const group = requireGroup(this.ctx, id);
    changeGroupSetting(this.ctx, group, this.#contact(actor), change);
    return this.view(group);
  }

  inviteCode(id: string, actor: string, reset = false): string {
    const group = requireGroup(this.ctx, id);
    const member = this.#contact(actor);
    return reset ? revokeInvite(this.ctx, group, member) : inviteCode(group, member);
  }

  /** Contact `phone` follows invite link `code`: `joined` or, in a group that approves joins, `requested`. */
  join(code: string, phone: string): { group: GroupView; outcome: 'joined' | 'requested' } {
    const outcome = joinByCode(this.ctx, this.#contact(phone), code);
    if ('requested' in outcome) return { group: this.view(outcome.requested), outcome: 'requested' };
    return { group: this.view(outcome.joined), outcome: 'joined' };
  }

  joinRequests(id: string, actor: string, action: JoinRequestAction, phones: string[]): ParticipantResult[] {
    const targets = phones.map((p) => {
      const member = memberOf(this.ctx, normalizePhone(p));
      return { jid: p, ...(member ? { member } : {}) };
    });
    return actOnJoinRequests(this.ctx, requireGroup(this.ctx, id), this.#contact(actor), action, targets);
  }

  leave(id: string, phone: string): GroupView {
    const group = requireGroup(this.ctx, id);
    leaveGroup(this.ctx, group, this.#contact(phone));
    return this.view(group);
  }

  /** Contact `from` reports a group message it got as delivered or read, to the sender's devices. */
  receipt(id: string, messageId: string, from: string, type: 'delivered' | 'read'): GroupMessage {
    const group = requireGroup(this.ctx, id);
    const record = group.messages.find((m) => m.id === messageId);
    if (!record) throw new SimulatorError(404, 'unknown_message', `no message ${messageId} in ${id}`);
    const phone = normalizePhone(from);
    if (!group.participants.has(phone))
      throw new SimulatorError(403, 'forbidden', `${phone} is not in the group`);
    groupReceipt(this.ctx, record, phone, type);
    return { ...record };
  }

  /**
   * Contact `phone`'s devices forget the sender keys they got for group `id` (a reinstall): the next message each
   * sender posts without its key fails there, and the phone asks for it again (flows/group-retry.ts). Returns how
   * many keys were dropped.
   */
  forgetSenderKeys(id: string, phone: string): number {
    const group = requireGroup(this.ctx, id);
    const contact = this.ctx.world.contacts.get(normalizePhone(phone));
    if (!contact || !group.participants.has(contact.phone))
      throw new SimulatorError(403, 'forbidden', `${phone} is not a contact in the group`);
    return contactDeviceIds(contact).reduce(
      (n, deviceId) => n + (contactPeer(contact, deviceId)?.senderKeys.forgetGroup(groupJid(group.id)) ?? 0),
      0,
    );
  }

  /** A simulated contact by phone (created on first use), as a member. */
  #contact(phone: string): Member {
    const contact = this.ctx.world.ensureContact(normalizePhone(phone));
    return { phone: contact.phone, lid: contact.lid, name: contact.name, contact };
  }
}
