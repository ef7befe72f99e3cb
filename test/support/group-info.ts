/**
 * What WhatsApp says of a group, as the groups table stores it: a two-member group (the superadmin known by phone
 * and LID, a member known by LID only), for tests of the group repository and what reads through it.
 */
import type { GroupInfo } from '../../shared/domain/group.js';

export const GROUP_ID = '120363000000000001@g.us';

export const groupInfo = (overrides: Partial<GroupInfo> = {}): GroupInfo => ({
  id: GROUP_ID,
  subject: 'Ops',
  announce: false,
  locked: false,
  joinApproval: false,
  size: 2,
  participants: [
    { phone: '+15550000001', lid: '100000000000001', role: 'superadmin' },
    { lid: '100000000000002', role: 'member' },
  ],
  ...overrides,
});
