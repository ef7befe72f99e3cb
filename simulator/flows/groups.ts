/** The `w:g2` IQs the server answers, keyed as the router keys IQs (`w:g2:<first child>`); one flow per file. */
import type { GroupIqHandler } from './group-iq.js';
import { onGroupCreate } from './group-create.js';
import { onGroupInvite } from './group-invite.js';
import { onJoinRequests } from './group-join-requests.js';
import { onGroupLeave } from './group-leave.js';
import { onGroupQuery, onParticipating } from './group-metadata.js';
import { onParticipantsChange, PARTICIPANT_ACTIONS } from './group-participants.js';
import { onGroupSetting, SETTING_TAGS } from './group-settings.js';

export const groupIqHandlers: Record<string, GroupIqHandler> = {
  'w:g2:create': onGroupCreate,
  'w:g2:query': onGroupQuery,
  'w:g2:participating': onParticipating,
  'w:g2:leave': onGroupLeave,
  'w:g2:invite': onGroupInvite,
  'w:g2:membership_approval_requests': onJoinRequests,
  'w:g2:membership_requests_action': onJoinRequests,
  ...Object.fromEntries(PARTICIPANT_ACTIONS.map((a) => [`w:g2:${a}`, onParticipantsChange])),
  ...Object.fromEntries(SETTING_TAGS.map((t) => [`w:g2:${t}`, onGroupSetting])),
};
