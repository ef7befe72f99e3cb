/**
 * Group host requests (`shared/contracts/group-requests.ts`) on the session's socket: Baileys' `w:g2` calls.
 * What WhatsApp refuses throws (Baileys' Boom with the IQ's error code), which `host-requests.ts` answers as
 * `whatsapp-error` with that code for the API to map (404 no such group, 403 not an admin...).
 */
import type { WASocket } from '@whiskeysockets/baileys';
import type { MemberResult } from '../../shared/contracts/group-requests.js';
import type { HostRequestOf, HostResultOf } from '../../shared/contracts/host-request.js';
import type { GroupInfo } from '../../shared/domain/group.js';
import { nowIso } from '../../shared/domain/ids.js';
import { groupInfoOf, memberOf, type PhoneForLid } from '../groups/group-info.js';

export type GroupSocket = Pick<
  WASocket,
  | 'groupFetchAllParticipating'
  | 'groupCreate'
  | 'groupMetadata'
  | 'groupUpdateSubject'
  | 'groupUpdateDescription'
  | 'groupSettingUpdate'
  | 'groupJoinApprovalMode'
  | 'groupParticipantsUpdate'
  | 'groupInviteCode'
  | 'groupRevokeInvite'
  | 'groupAcceptInvite'
  | 'groupRequestParticipantsList'
  | 'groupRequestParticipantsUpdate'
  | 'groupLeave'
  | 'signalRepository'
>;

type GroupKind =
  | 'groups.list'
  | 'groups.create'
  | 'groups.metadata'
  | 'groups.update'
  | 'groups.participants'
  | 'groups.invite'
  | 'groups.join'
  | 'groups.requests'
  | 'groups.requests.update'
  | 'groups.leave';

export class GroupRequests {
  private readonly phoneForLid: PhoneForLid;

  constructor(private readonly socket: GroupSocket) {
    this.phoneForLid = (lidJid) => socket.signalRepository.lidMapping.getPNForLID(lidJid);
  }

  perform<K extends GroupKind>(request: HostRequestOf<K>): Promise<HostResultOf<K>>;
  async perform(request: HostRequestOf<GroupKind>): Promise<unknown> {
    switch (request.kind) {
      case 'groups.list':
        return this.list();
      case 'groups.create':
        return this.info(await this.socket.groupCreate(request.subject, [...request.participants]));
      case 'groups.metadata':
        return this.metadata(request.jid);
      case 'groups.update':
        return this.update(request);
      case 'groups.participants':
        return this.participants(request);
      case 'groups.invite': {
        const code = request.revoke
          ? await this.socket.groupRevokeInvite(request.jid)
          : await this.socket.groupInviteCode(request.jid);
        if (!code) throw new Error('WhatsApp answered without an invite code');
        return { code };
      }
      case 'groups.join':
        return this.join(request.code);
      case 'groups.requests':
        return this.joinRequests(request.jid);
      case 'groups.requests.update': {
        const action = request.action === 'approve' ? 'approve' : 'reject';
        const answered = await this.socket.groupRequestParticipantsUpdate(
          request.jid,
          [...request.participants],
          action,
        );
        return { results: await this.results(answered, request.participants) };
      }
      case 'groups.leave':
        await this.socket.groupLeave(request.jid);
        return { left: true };
    }
  }

  private info(meta: Parameters<typeof groupInfoOf>[0]): Promise<GroupInfo> {
    return groupInfoOf(meta, this.phoneForLid);
  }

  async metadata(jid: string): Promise<GroupInfo> {
    return this.info(await this.socket.groupMetadata(jid));
  }

  private async list(): Promise<HostResultOf<'groups.list'>> {
    const all = await this.socket.groupFetchAllParticipating();
    return { groups: await Promise.all(Object.values(all).map((meta) => this.info(meta))) };
  }

  /** Each change is its own IQ on WhatsApp; the answer is the group as WhatsApp then tells it. */
  private async update(request: HostRequestOf<'groups.update'>): Promise<GroupInfo> {
    const { socket } = this;
    if (request.subject !== undefined) await socket.groupUpdateSubject(request.jid, request.subject);
    if (request.description !== undefined)
      await socket.groupUpdateDescription(request.jid, request.description || undefined);
    if (request.announce !== undefined)
      await socket.groupSettingUpdate(request.jid, request.announce ? 'announcement' : 'not_announcement');
    if (request.locked !== undefined)
      await socket.groupSettingUpdate(request.jid, request.locked ? 'locked' : 'unlocked');
    if (request.joinApproval !== undefined)
      await socket.groupJoinApprovalMode(request.jid, request.joinApproval ? 'on' : 'off');
    return this.metadata(request.jid);
  }

  private async participants(
    request: HostRequestOf<'groups.participants'>,
  ): Promise<HostResultOf<'groups.participants'>> {
    const answered = await this.socket.groupParticipantsUpdate(
      request.jid,
      [...request.participants],
      request.action,
    );
    const results = await this.results(answered, request.participants);
    // The group after the change, for the API's stored copy (the notification that follows says the same).
    const group = results.some((r) => r.code === 200)
      ? await this.metadata(request.jid).catch(() => undefined)
      : undefined;
    return group ? { results, group } : { results };
  }

  /** WhatsApp answers each member by the jid it knows it under (its LID in a LID group) plus `phone_number`. */
  private async results(
    answered: readonly {
      status: string;
      jid: string | undefined;
      content?: { attrs: Record<string, string> };
    }[],
    asked: readonly string[],
  ): Promise<MemberResult[]> {
    const out: MemberResult[] = [];
    for (const [i, row] of answered.entries()) {
      const alt = row.content?.attrs.phone_number ?? row.content?.attrs.lid ?? asked[i];
      const member = await memberOf(row.jid ?? asked[i], alt, this.phoneForLid);
      const code = Number.parseInt(row.status, 10);
      if (member) out.push({ member, code: Number.isInteger(code) ? code : 500 });
    }
    return out;
  }

  private async join(code: string): Promise<HostResultOf<'groups.join'>> {
    const jid = await this.socket.groupAcceptInvite(code);
    if (!jid) throw new Error('WhatsApp answered the invite without a group');
    // Joined; a group awaiting an admin's approval does not answer metadata yet.
    const group = await this.metadata(jid).catch(() => undefined);
    return group ? { id: group.id, group } : { id: jid };
  }

  private async joinRequests(jid: string): Promise<HostResultOf<'groups.requests'>> {
    const rows = (await this.socket.groupRequestParticipantsList(jid)) as Record<string, string>[];
    const items = [];
    for (const row of rows) {
      const member = await memberOf(row.jid, row.phone_number, this.phoneForLid);
      if (!member) continue;
      const at = Number(row.request_time);
      items.push({ ...member, ...(at > 0 ? { requestedAt: nowIso(new Date(at * 1000)) } : {}) });
    }
    return { items };
  }
}
