import { childOf, childrenNamed, node } from '../wire/nodes.js';
import { isAdmin } from '../world/groups.js';
import type { Group } from '../world/groups.js';
import type { SimContext } from './context.js';
import { forbidden, groupIq } from './group-iq.js';
import { notifyGroup, participantNode } from './group-notify.js';
import type { Member } from './group-notify.js';

/** `actor` leaves `group`: it is gone from the participants; every member device and its own hear `<remove>`. */
export const leaveGroup = (ctx: SimContext, group: Group, actor: Member): void => {
  if (!group.participants.delete(actor.phone)) throw forbidden(`${actor.phone} is not in the group`);
  // A group is never left without an admin: the longest-standing member takes over, as on WhatsApp.
  const admins = [...group.participants.keys()].filter((p) => isAdmin(group, p));
  const heir = [...group.participants.keys()][0];
  if (!admins.length && heir) group.participants.set(heir, 'admin');
  notifyGroup(
    ctx,
    group,
    actor,
    [node('remove', { reason: 'leave' }, [participantNode(actor)])],
    [actor.phone],
  );
};

/** `<leave><group id/>…</leave>` to `@g.us`: leaves each group named. */
export const onGroupLeave = groupIq((ctx, { actor }, iq) => {
  const left = childrenNamed(childOf(iq, 'leave'), 'group').map((g) => {
    const id = g.attrs.id ?? '';
    const group = ctx.world.groups.get(id);
    if (!group) return node('group', { id, error: '404' });
    leaveGroup(ctx, group, actor);
    return node('group', { id });
  });
  return [node('leave', {}, left)];
});
