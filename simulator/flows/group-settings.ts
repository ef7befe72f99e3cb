import { randomBytes } from 'node:crypto';
import { SimulatorError } from '../errors.js';
import { bufferOf, childOf, childrenOf, node } from '../wire/nodes.js';
import type { BinaryNode } from '../wire/nodes.js';
import { isAdmin } from '../world/groups.js';
import type { Group } from '../world/groups.js';
import { lidJid, pnJid } from '../world/world.js';
import type { SimContext } from './context.js';
import { MAX_SUBJECT } from './group-create.js';
import { forbidden, groupIq } from './group-iq.js';
import { groupOfIq } from './group-metadata.js';
import { notifyGroup } from './group-notify.js';
import type { Member } from './group-notify.js';

/** WhatsApp's limit on a group description (characters). */
export const MAX_DESCRIPTION = 2048;

/** One change to a group's info or settings. */
export type GroupSettingChange =
  | { subject: string }
  | { description: string | null }
  | { announce: boolean }
  | { locked: boolean }
  | { joinApproval: boolean }
  | { memberAddMode: 'admin_add' | 'all_member_add' };

const seconds = (): number => Math.floor(Date.now() / 1000);
const versionId = (): string => String(Date.now());

/** Settings only admins change; the subject and description too once the group is locked. */
const needsAdmin = (group: Group, change: GroupSettingChange): boolean =>
  'subject' in change || 'description' in change ? group.locked : true;

/** Applies `change` and returns the notification child that announces it. */
const apply = (group: Group, actor: Member, change: GroupSettingChange): BinaryNode => {
  if ('subject' in change) {
    if (!change.subject.trim() || [...change.subject].length > MAX_SUBJECT)
      throw new SimulatorError(400, 'bad-request', `a subject is 1-${MAX_SUBJECT} characters`);
    group.subject = change.subject;
    group.subjectOwner = actor.phone;
    group.subjectTime = seconds();
    return node('subject', {
      subject: group.subject,
      s_o: lidJid(actor.lid),
      s_o_pn: pnJid(actor.phone),
      s_t: String(group.subjectTime),
    });
  }
  if ('description' in change) {
    const id = randomBytes(8).toString('hex').toUpperCase();
    if (change.description === null || change.description === '') {
      delete group.description;
      return node('description', { id }, [node('delete', {})]);
    }
    if ([...change.description].length > MAX_DESCRIPTION)
      throw new SimulatorError(400, 'bad-request', `a description is at most ${MAX_DESCRIPTION} characters`);
    group.description = { id, text: change.description, owner: actor.phone, time: seconds() };
    return node('description', { id }, [node('body', {}, Buffer.from(change.description, 'utf8'))]);
  }
  if ('announce' in change) {
    group.announce = change.announce;
    return node(change.announce ? 'announcement' : 'not_announcement', { v_id: versionId() });
  }
  if ('locked' in change) {
    group.locked = change.locked;
    return node(change.locked ? 'locked' : 'unlocked', {});
  }
  if ('joinApproval' in change) {
    group.joinApproval = change.joinApproval;
    return node('membership_approval_mode', {}, [
      node('group_join', { state: change.joinApproval ? 'on' : 'off' }),
    ]);
  }
  group.memberAddMode = change.memberAddMode;
  return node('member_add_mode', {}, Buffer.from(change.memberAddMode));
};

/**
 * `actor` changes the group's subject, description or a setting: refused with 403 for a non-member, and for a
 * non-admin where only admins may (settings always; subject and description once the group is locked). Every
 * member device hears of it.
 */
export const changeGroupSetting = (
  ctx: SimContext,
  group: Group,
  actor: Member,
  change: GroupSettingChange,
): void => {
  if (!group.participants.has(actor.phone)) throw forbidden(`${actor.phone} is not in the group`);
  if (needsAdmin(group, change) && !isAdmin(group, actor.phone))
    throw forbidden(`${actor.phone} is not an admin`);
  notifyGroup(ctx, group, actor, [apply(group, actor, change)]);
};

/** What a settings IQ's child asks for. */
const changeOf = (request: BinaryNode | undefined): GroupSettingChange => {
  switch (request?.tag) {
    case 'subject':
      return { subject: bufferOf(request)?.toString('utf8') ?? '' };
    case 'description':
      return {
        description:
          request.attrs.delete === 'true'
            ? null
            : (bufferOf(childOf(request, 'body'))?.toString('utf8') ?? ''),
      };
    case 'announcement':
    case 'not_announcement':
      return { announce: request.tag === 'announcement' };
    case 'locked':
    case 'unlocked':
      return { locked: request.tag === 'locked' };
    case 'membership_approval_mode':
      return { joinApproval: childOf(request, 'group_join')?.attrs.state === 'on' };
    default: {
      const mode = bufferOf(request)?.toString('utf8');
      if (mode !== 'admin_add' && mode !== 'all_member_add')
        throw new SimulatorError(400, 'bad-request', `member_add_mode ${mode ?? ''}`);
      return { memberAddMode: mode };
    }
  }
};

/** `<subject>`, `<description>`, `<announcement>`/`<not_announcement>`, `<locked>`/`<unlocked>`, … to a group. */
export const onGroupSetting = groupIq((ctx, { actor }, iq) => {
  const group = groupOfIq(ctx, iq, actor.phone);
  changeGroupSetting(ctx, group, actor, changeOf(childrenOf(iq)[0]));
  return [];
});

export const SETTING_TAGS = [
  'subject',
  'description',
  'announcement',
  'not_announcement',
  'locked',
  'unlocked',
  'membership_approval_mode',
  'member_add_mode',
] as const;
