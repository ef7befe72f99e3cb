/** Join requests of a group whose joins need approval (docs/api.md, "Groups"): list, approve, reject. */
import type { z } from 'zod';
import { phoneToJid } from '../domain/phone.js';
import type { JoinRequestListSchema, JoinRequestsResultSchema } from './group-views.js';
import { askGroups, outcomeOf, type GroupDeps } from './groups.js';
import { loadSession } from './sessions.js';

export async function listJoinRequests(
  deps: GroupDeps,
  tenantId: string,
  sessionId: string,
  groupId: string,
): Promise<z.infer<typeof JoinRequestListSchema>> {
  const session = await loadSession(deps, tenantId, sessionId);
  return askGroups(deps, session, { kind: 'groups.requests', jid: groupId }, groupId);
}

export async function answerJoinRequests(
  deps: GroupDeps,
  tenantId: string,
  sessionId: string,
  groupId: string,
  body: { action: 'approve' | 'reject'; participants: string[] },
): Promise<z.infer<typeof JoinRequestsResultSchema>> {
  const session = await loadSession(deps, tenantId, sessionId);
  const answer = await askGroups(
    deps,
    session,
    {
      kind: 'groups.requests.update',
      jid: groupId,
      action: body.action,
      participants: [...new Set(body.participants)].map(phoneToJid),
    },
    groupId,
  );
  return { results: answer.results.map(outcomeOf) };
}
