/**
 * Groups (docs/api.md, "Groups"): each change is one host request on the session's socket (WhatsApp's `w:g2`
 * API); what WhatsApp answers is kept in the `groups` table, so `GET .../groups` lists without asking WhatsApp.
 * WhatsApp's refusals become the tenant's statuses: 404 no such group (or the account is not in it), 403 the
 * account is not an admin (WhatsApp's reason in `detail`), 400 for limits WhatsApp enforces.
 */
import type { z } from 'zod';
import type { MemberResult } from '../contracts/group-requests.js';
import type { HostRequestKind, HostRequestOf, HostResultOf } from '../contracts/host-request.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../domain/errors.js';
import { GROUP_MAX_MEMBERS, toGroupView, type GroupInfo, type GroupView } from '../domain/group.js';
import { nowIso } from '../domain/ids.js';
import { phoneToJid } from '../domain/phone.js';
import type { Session } from '../domain/session.js';
import type { ControlPlaneDeps } from './deps.js';
import { WhatsAppRequestError } from './errors.js';
import {
  inviteCodeOf,
  type CreateGroupRequest,
  type GroupListSchema,
  type InviteViewSchema,
  type JoinGroupRequest,
  type JoinViewSchema,
  type MemberOutcomeSchema,
  type ParticipantsRequest,
  type ParticipantsResultSchema,
  type UpdateGroupRequest,
} from './group-views.js';
import { askHost } from './host-requests.js';
import { loadSession } from './sessions.js';

export type GroupDeps = Pick<
  ControlPlaneDeps,
  'repos' | 'doorbell' | 'hostReplies' | 'hostRequestWaitMs' | 'now' | 'sleep'
>;

/** What WhatsApp says when a member change is refused for one member (its per-member code). */
const MEMBER_REASONS: Readonly<Record<number, string>> = {
  400: 'WhatsApp refused this member',
  401: 'the account may not do this',
  403: 'the member’s privacy settings require an invite link',
  404: 'not a member of the group',
  406: 'not on WhatsApp',
  408: 'left the group recently and must be invited by link',
  409: 'already a member of the group',
  500: 'WhatsApp failed for this member',
};

/** Asks the host, turning WhatsApp's group refusals into the tenant's statuses. */
export async function askGroups<K extends HostRequestKind>(
  deps: GroupDeps,
  session: Session,
  request: HostRequestOf<K>,
  groupId?: string,
): Promise<HostResultOf<K>> {
  try {
    return await askHost(deps, session, request);
  } catch (error) {
    if (!(error instanceof WhatsAppRequestError) || error.waCode === undefined) throw error;
    const said = `WhatsApp: ${error.waCode} ${error.message}`;
    switch (error.waCode) {
      case 404:
      case 410:
        throw new NotFoundError(
          groupId ? `No group ${groupId} with this account in it (${said})` : `Not found (${said})`,
        );
      case 401:
      case 403:
        throw new ForbiddenError(`Only a group admin may do this (${said})`);
      case 406:
        // An invite code WhatsApp does not know (never issued, or revoked).
        if (request.kind === 'groups.join')
          throw new NotFoundError(`No group has this invite code (${said})`);
        throw error;
      case 400:
      case 419:
      case 500:
        if (error.waCode === 419 || /limit|full/i.test(error.message))
          throw new ValidationError(
            [{ location: 'body', pointer: '/participants', message: `group is full (${said})` }],
            `The group would exceed WhatsApp's limit of ${GROUP_MAX_MEMBERS} members (${said})`,
          );
        throw error;
      default:
        throw error;
    }
  }
}

async function store(deps: GroupDeps, session: Session, info: GroupInfo): Promise<GroupView> {
  const group = await deps.repos.groups.put(session.tenantId, session.id, info, nowIso(new Date(deps.now())));
  return toGroupView(group);
}

export async function listGroups(
  deps: GroupDeps,
  tenantId: string,
  sessionId: string,
  query: { limit?: number; cursor?: string; refresh?: 'true' | 'false' },
): Promise<z.infer<typeof GroupListSchema>> {
  const session = await loadSession(deps, tenantId, sessionId);
  if (query.refresh === 'true') {
    const { groups } = await askGroups(deps, session, { kind: 'groups.list' });
    for (const info of groups) await store(deps, session, info);
  }
  const page = await deps.repos.groups.list(sessionId, {
    ...(query.limit === undefined ? {} : { limit: query.limit }),
    ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
  });
  const items = page.items.map((g) => {
    const { participants: _participants, ...summary } = toGroupView(g);
    return summary;
  });
  return page.cursor ? { items, cursor: page.cursor } : { items };
}

export async function createGroup(
  deps: GroupDeps,
  tenantId: string,
  sessionId: string,
  body: CreateGroupRequest,
): Promise<GroupView> {
  const session = await loadSession(deps, tenantId, sessionId);
  const info = await askGroups(deps, session, {
    kind: 'groups.create',
    subject: body.subject,
    participants: [...new Set(body.participants)].map(phoneToJid),
  });
  return store(deps, session, info);
}

/** The stored copy; WhatsApp is asked when there is none or when `refresh` says so. */
export async function getGroup(
  deps: GroupDeps,
  tenantId: string,
  sessionId: string,
  groupId: string,
  refresh = false,
): Promise<GroupView> {
  const session = await loadSession(deps, tenantId, sessionId);
  if (!refresh) {
    const stored = await deps.repos.groups.get(sessionId, groupId);
    if (stored) return toGroupView(stored);
  }
  const info = await askGroups(deps, session, { kind: 'groups.metadata', jid: groupId }, groupId);
  return store(deps, session, info);
}

export async function updateGroup(
  deps: GroupDeps,
  tenantId: string,
  sessionId: string,
  groupId: string,
  body: UpdateGroupRequest,
): Promise<GroupView> {
  const session = await loadSession(deps, tenantId, sessionId);
  const info = await askGroups(
    deps,
    session,
    {
      kind: 'groups.update',
      jid: groupId,
      ...(body.subject === undefined ? {} : { subject: body.subject }),
      ...(body.description === undefined ? {} : { description: body.description }),
      ...(body.announce === undefined ? {} : { announce: body.announce }),
      ...(body.locked === undefined ? {} : { locked: body.locked }),
      ...(body.joinApproval === undefined ? {} : { joinApproval: body.joinApproval }),
    },
    groupId,
  );
  return store(deps, session, info);
}

export function outcomeOf(result: MemberResult): z.infer<typeof MemberOutcomeSchema> {
  const ok = result.code >= 200 && result.code < 300;
  const reason = ok ? undefined : (MEMBER_REASONS[result.code] ?? 'WhatsApp refused this member');
  return { ...result.member, status: ok ? 'ok' : 'failed', code: result.code, ...(reason ? { reason } : {}) };
}

/**
 * Adds, removes, promotes or demotes members; WhatsApp answers per member, so one refused member does not fail
 * the others (200 with `failed` results). An add that would take the stored group past WhatsApp's limit is a
 * 400 before WhatsApp is asked.
 */
export async function changeParticipants(
  deps: GroupDeps,
  tenantId: string,
  sessionId: string,
  groupId: string,
  body: ParticipantsRequest,
): Promise<z.infer<typeof ParticipantsResultSchema>> {
  const session = await loadSession(deps, tenantId, sessionId);
  const phones = [...new Set(body.participants)];
  if (body.action === 'add') {
    const stored = await deps.repos.groups.get(sessionId, groupId);
    if (stored && stored.size + phones.length > GROUP_MAX_MEMBERS) {
      throw new ValidationError(
        [
          {
            location: 'body',
            pointer: '/participants',
            message: `the group has ${stored.size} members; WhatsApp allows at most ${GROUP_MAX_MEMBERS}`,
          },
        ],
        `Adding ${phones.length} would exceed WhatsApp's limit of ${GROUP_MAX_MEMBERS} members`,
      );
    }
  }
  const answer = await askGroups(
    deps,
    session,
    { kind: 'groups.participants', jid: groupId, action: body.action, participants: phones.map(phoneToJid) },
    groupId,
  );
  const results = answer.results.map(outcomeOf);
  if (!answer.group) return { results };
  return { results, group: await store(deps, session, answer.group) };
}

export async function inviteCode(
  deps: GroupDeps,
  tenantId: string,
  sessionId: string,
  groupId: string,
  revoke: boolean,
): Promise<z.infer<typeof InviteViewSchema>> {
  const session = await loadSession(deps, tenantId, sessionId);
  const { code } = await askGroups(deps, session, { kind: 'groups.invite', jid: groupId, revoke }, groupId);
  return { code, link: `https://chat.whatsapp.com/${code}` };
}

export async function joinGroup(
  deps: GroupDeps,
  tenantId: string,
  sessionId: string,
  body: JoinGroupRequest,
): Promise<z.infer<typeof JoinViewSchema>> {
  const session = await loadSession(deps, tenantId, sessionId);
  const answer = await askGroups(deps, session, { kind: 'groups.join', code: inviteCodeOf(body) });
  if (!answer.group) return { id: answer.id, joined: false };
  return { id: answer.id, joined: true, group: await store(deps, session, answer.group) };
}

export async function leaveGroup(
  deps: GroupDeps,
  tenantId: string,
  sessionId: string,
  groupId: string,
): Promise<{ id: string; left: true }> {
  const session = await loadSession(deps, tenantId, sessionId);
  await askGroups(deps, session, { kind: 'groups.leave', jid: groupId }, groupId);
  await deps.repos.groups.patch(sessionId, groupId, { left: true }, nowIso(new Date(deps.now())));
  return { id: groupId, left: true };
}
