/**
 * Groups table (partition `sessionId`, sort `groupId`). A group is one item with its member list (1024 members
 * of ~60 bytes fit DynamoDB's 400 KB item comfortably); member changes are read-modify-write conditioned on the
 * `writeId` read (a random id every write sets), retried when another writer got there first. Not on `updatedAt`:
 * two writers called in the same millisecond write the same `updatedAt`, and a third that read the first's would
 * overwrite the second's change.
 */
import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  GroupSchema,
  type Group,
  type GroupInfo,
  type GroupMemberId,
  type GroupParticipant,
} from '../../domain/group.js';
import { TABLES } from '../../definitions/tables.js';
import type {
  GroupRepository,
  GroupSettingsPatch,
  ParticipantsChange,
} from '../../ports/group-repository.js';
import type { Page, PageRequest } from '../../ports/pagination.js';
import {
  isConditionFailed,
  patchExistingItem,
  queryPage,
  tableName,
  toDomain,
  type DynamoContext,
  type Item,
} from './items.js';

const def = TABLES.groups;
const MAX_ATTEMPTS = 5;

export class DynamoGroupRepository implements GroupRepository {
  private readonly table: string;

  constructor(private readonly ctx: DynamoContext) {
    this.table = tableName(ctx, 'groups');
  }

  async put(tenantId: string, sessionId: string, info: GroupInfo, at: string): Promise<Group> {
    const group = GroupSchema.parse({ ...info, tenantId, sessionId, updatedAt: at });
    await this.ctx.dynamo.send(
      new PutCommand({ TableName: this.table, Item: { ...toItem(group), writeId: randomUUID() } }),
    );
    return group;
  }

  async get(sessionId: string, groupId: string): Promise<Group | null> {
    const out = await this.ctx.dynamo.send(
      new GetCommand({ TableName: this.table, Key: { sessionId, groupId }, ConsistentRead: true }),
    );
    return out.Item ? fromItem(out.Item) : null;
  }

  list(sessionId: string, page: PageRequest = {}): Promise<Page<Group>> {
    return queryPage(
      this.ctx,
      {
        TableName: this.table,
        KeyConditionExpression: 'sessionId = :s',
        ExpressionAttributeValues: { ':s': sessionId },
        ConsistentRead: true,
      },
      { attributes: [def.partitionKey, def.sortKey!], fixed: { sessionId } },
      page,
      fromItem,
    );
  }

  async patch(
    sessionId: string,
    groupId: string,
    patch: GroupSettingsPatch,
    at: string,
  ): Promise<Group | null> {
    const item = await patchExistingItem(this.ctx, {
      table: this.table,
      key: { sessionId, groupId },
      existsAttribute: 'groupId',
      patch: { ...patch, updatedAt: at, writeId: randomUUID() },
    });
    return item === null ? null : fromItem(item);
  }

  async changeParticipants(
    sessionId: string,
    groupId: string,
    change: ParticipantsChange,
    members: readonly (GroupMemberId | GroupParticipant)[],
    at: string,
  ): Promise<Group | null> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const out = await this.ctx.dynamo.send(
        new GetCommand({ TableName: this.table, Key: { sessionId, groupId }, ConsistentRead: true }),
      );
      if (!out.Item) return null;
      const group = fromItem(out.Item);
      const seen: unknown = out.Item['writeId'];
      const participants = applyChange(group.participants, change, members);
      const next: Group = { ...group, participants, size: participants.length, updatedAt: at };
      try {
        await this.ctx.dynamo.send(
          new PutCommand({
            TableName: this.table,
            Item: { ...toItem(next), writeId: randomUUID() },
            ...(typeof seen === 'string'
              ? { ConditionExpression: 'writeId = :seen', ExpressionAttributeValues: { ':seen': seen } }
              : { ConditionExpression: 'attribute_not_exists(writeId)' }),
          }),
        );
        return next;
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
      }
    }
    throw new Error(`group ${groupId}: members changed under ${MAX_ATTEMPTS} attempts`);
  }
}

const same = (a: GroupMemberId, b: GroupMemberId): boolean =>
  (a.phone !== undefined && a.phone === b.phone) || (a.lid !== undefined && a.lid === b.lid);

/** The member list after one change; members are matched by phone or LID, whichever both sides know. */
export function applyChange(
  participants: readonly GroupParticipant[],
  change: ParticipantsChange,
  members: readonly (GroupMemberId | GroupParticipant)[],
): GroupParticipant[] {
  const idOf = (m: GroupMemberId): GroupMemberId => ({
    ...(m.phone ? { phone: m.phone } : {}),
    ...(m.lid ? { lid: m.lid } : {}),
  });
  switch (change) {
    case 'add': {
      const kept = participants.filter((p) => !members.some((m) => same(p, m)));
      return [...kept, ...members.map((m) => ({ ...idOf(m), role: 'member' as const }))];
    }
    case 'remove':
      return participants.filter((p) => !members.some((m) => same(p, m)));
    case 'promote':
    case 'demote':
      return participants.map((p) =>
        members.some((m) => same(p, m)) && p.role !== 'superadmin'
          ? {
              ...p,
              ...idOf({ ...p, ...members.find((m) => same(p, m)) }),
              role: change === 'promote' ? 'admin' : 'member',
            }
          : p,
      );
  }
}

function toItem(group: Group): Item {
  const { id, ...rest } = group;
  return JSON.parse(JSON.stringify({ ...rest, groupId: id })) as Item;
}

function fromItem(item: Item): Group {
  return toDomain(GroupSchema, item, { rename: { groupId: 'id' } });
}
