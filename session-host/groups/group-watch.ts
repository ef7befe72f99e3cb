/**
 * Group notifications (docs/events-and-webhooks.md, "Groups"): what Baileys reports of the account's groups is
 * kept in the `groups` table and published as `group.updated`, `group.participants`, `group.joined` and
 * `group.left`. Baileys reports:
 * - `groups.upsert`: a group the account was put in at its creation (WhatsApp's `create` notification);
 * - `groups.update`: a setting changed (subject, description, announce, locked...), or, with a member list, the
 *   full metadata of every group when WhatsApp marks the group list dirty (stored, no event);
 * - `group-participants.update`: members added, removed, promoted or demoted; the account itself among them
 *   is a join (the group's metadata is then fetched, one IQ) or a leave.
 */
import type { BaileysEventMap, GroupMetadata, WASocket } from '@whiskeysockets/baileys';
import type { GroupParticipantsAction } from '../../shared/domain/group-events.js';
import type { GroupMemberId } from '../../shared/domain/group.js';
import { makeEvent, type EventDataInput, type EventType } from '../../shared/domain/events.js';
import { nowIso } from '../../shared/domain/ids.js';
import type { EventBus } from '../../shared/ports/event-bus.js';
import type { GroupRepository, GroupSettingsPatch } from '../../shared/ports/group-repository.js';
import { errorFields, type HostLogger } from '../logger.js';
import { groupInfoOf, memberOf, participantOf, type PhoneForLid } from './group-info.js';

export interface GroupWatchDeps {
  readonly tenantId: string;
  readonly sessionId: string;
  readonly groups: GroupRepository;
  readonly events: EventBus;
  readonly log: HostLogger;
}

type WatchedSocket = Pick<WASocket, 'ev' | 'user' | 'groupMetadata' | 'signalRepository'>;
type ParticipantsUpdate = BaileysEventMap['group-participants.update'];
type GroupUpdate = BaileysEventMap['groups.update'][number] & { author?: string; authorPn?: string };

const ACTIONS: Readonly<Record<string, GroupParticipantsAction>> = {
  add: 'added',
  remove: 'removed',
  promote: 'promoted',
  demote: 'demoted',
};

export function watchGroups(socket: WatchedSocket, deps: GroupWatchDeps): GroupWatch {
  const watch = new GroupWatch(socket, deps);
  socket.ev.on('groups.upsert', (groups) => watch.run('groups.upsert', () => watch.onUpsert(groups)));
  socket.ev.on('groups.update', (updates) => watch.run('groups.update', () => watch.onUpdate(updates)));
  socket.ev.on('group-participants.update', (update) =>
    watch.run('group-participants.update', () => watch.onParticipants(update)),
  );
  return watch;
}

export class GroupWatch {
  private readonly phoneForLid: PhoneForLid;
  /** One notification at a time, in arrival order: member changes read and write the same item. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly socket: WatchedSocket,
    private readonly deps: GroupWatchDeps,
  ) {
    this.phoneForLid = (lidJid) => socket.signalRepository.lidMapping.getPNForLID(lidJid);
  }

  run(what: string, work: () => Promise<void>): void {
    this.queue = this.queue
      .then(work)
      .catch((error: unknown) =>
        this.deps.log.warn('group notification not handled', { what, ...errorFields(error) }),
      );
  }

  /** Resolves once the notifications so far are handled (tests, shutdown). */
  idle(): Promise<void> {
    return this.queue;
  }

  async onUpsert(groups: readonly (GroupMetadata & { author?: string; authorPn?: string })[]): Promise<void> {
    for (const meta of groups) {
      const info = await groupInfoOf(meta, this.phoneForLid);
      await this.deps.groups.put(this.deps.tenantId, this.deps.sessionId, info, nowIso());
      const by = await memberOf(meta.author, meta.authorPn, this.phoneForLid);
      await this.publish('group.joined', {
        groupId: info.id,
        subject: info.subject,
        participants: info.participants,
        ...(by ? { by } : {}),
      });
    }
  }

  async onUpdate(updates: readonly GroupUpdate[]): Promise<void> {
    for (const update of updates) {
      if (!update.id) continue;
      if (Array.isArray(update.participants) && update.subject !== undefined) {
        // A full refresh (the group list was dirty): the stored copy becomes what WhatsApp says.
        const info = await groupInfoOf(update as GroupMetadata, this.phoneForLid);
        await this.deps.groups.put(this.deps.tenantId, this.deps.sessionId, info, nowIso());
        continue;
      }
      const changes: GroupSettingsPatch = {
        ...(update.subject === undefined ? {} : { subject: update.subject }),
        ...('desc' in update ? { description: update.desc || null } : {}),
        ...(update.announce === undefined ? {} : { announce: update.announce }),
        ...(update.restrict === undefined ? {} : { locked: update.restrict }),
        ...(update.joinApprovalMode === undefined ? {} : { joinApproval: update.joinApprovalMode }),
      };
      if (Object.keys(changes).length === 0) continue;
      await this.deps.groups.patch(this.deps.sessionId, update.id, changes, nowIso());
      const by = await memberOf(update.author, update.authorPn, this.phoneForLid);
      const { left: _left, ...eventChanges } = changes;
      await this.publish('group.updated', {
        groupId: update.id,
        changes: eventChanges,
        ...(by ? { by } : {}),
      });
    }
  }

  async onParticipants(update: ParticipantsUpdate): Promise<void> {
    const action = ACTIONS[update.action];
    if (!action) return;
    const members = (
      await Promise.all(update.participants.map((p) => participantOf(p, this.phoneForLid)))
    ).filter((m) => m !== null);
    if (members.length === 0) return;
    const by = await memberOf(update.author, update.authorPn, this.phoneForLid);
    const me = this.me();
    const mine = members.some((m) => isSame(m, me));
    const at = nowIso();
    if (mine && action === 'added') {
      // The account is in a group it did not know: what the group is, one IQ.
      const info = await groupInfoOf(await this.socket.groupMetadata(update.id), this.phoneForLid);
      await this.deps.groups.put(this.deps.tenantId, this.deps.sessionId, info, at);
      await this.publish('group.joined', {
        groupId: info.id,
        subject: info.subject,
        participants: info.participants,
        ...(by ? { by } : {}),
      });
      return;
    }
    await this.deps.groups.changeParticipants(
      this.deps.sessionId,
      update.id,
      update.action as 'add',
      members,
      at,
    );
    await this.publish('group.participants', {
      groupId: update.id,
      action,
      participants: members.map(({ role: _role, ...id }) => id),
      ...(by ? { by } : {}),
    });
    if (mine && action === 'removed') {
      await this.deps.groups.patch(this.deps.sessionId, update.id, { left: true }, at);
      const self = by === null || isSame(by, me);
      await this.publish('group.left', {
        groupId: update.id,
        reason: self ? 'left' : 'removed',
        ...(by && !self ? { by } : {}),
      });
    }
  }

  /** The account's own ids (its phone-number jid and its LID), as the socket knows them. */
  private me(): GroupMemberId {
    const user = this.socket.user;
    const phone = user?.id ? memberIdSync(user.id) : {};
    const lid = user?.lid ? memberIdSync(user.lid) : {};
    return { ...phone, ...lid };
  }

  private async publish<T extends EventType>(type: T, data: EventDataInput<T>): Promise<void> {
    await this.deps.events.publish([
      makeEvent(type, { tenantId: this.deps.tenantId, sessionId: this.deps.sessionId, data }),
    ]);
  }
}

function memberIdSync(jid: string): GroupMemberId {
  const phone = /^(\d+)(?::\d+)?@s\.whatsapp\.net$/.exec(jid)?.[1];
  const lid = /^(\d+)(?::\d+)?@lid$/.exec(jid)?.[1];
  return { ...(phone ? { phone: `+${phone}` } : {}), ...(lid ? { lid } : {}) };
}

function isSame(a: GroupMemberId, b: GroupMemberId): boolean {
  return (a.phone !== undefined && a.phone === b.phone) || (a.lid !== undefined && a.lid === b.lid);
}
