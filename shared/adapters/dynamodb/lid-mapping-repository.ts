/**
 * The LID <-> phone map as two items per pair in the `lidMappings` table (partition `sessionId`, sort `idKey`):
 * `pn#+15551234567` and `lid#123456789`, each holding both values, so either direction is one GetItem.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { LidPhonePairSchema, type Lid, type LidPhonePair } from '../../domain/contact-id.js';
import type { Phone } from '../../domain/phone.js';
import type { LidMappingRepository } from '../../ports/lid-mapping-repository.js';
import { batchWriteAll } from './batch-write.js';
import { tableName, toDomain, type DynamoContext, type Item } from './items.js';

const BATCH = 25;

const phoneKey = (phone: Phone): string => `pn#${phone}`;
const lidKey = (lid: Lid): string => `lid#${lid}`;

export class DynamoLidMappingRepository implements LidMappingRepository {
  constructor(private readonly ctx: DynamoContext) {}

  async record(sessionId: string, pairs: readonly LidPhonePair[]): Promise<void> {
    const table = tableName(this.ctx, 'lidMappings');
    const updatedAt = new Date().toISOString();
    // One item per key: a batch may not name the same key twice, and the last pair given wins.
    const items = new Map<string, Item>();
    for (const pair of pairs) {
      const { lid, phone } = LidPhonePairSchema.parse(pair);
      for (const idKey of [phoneKey(phone), lidKey(lid)]) {
        items.set(idKey, { sessionId, idKey, lid, phone, updatedAt });
      }
    }
    const requests = [...items.values()].map((Item) => ({ PutRequest: { Item } }));
    for (let i = 0; i < requests.length; i += BATCH) await this.write(table, requests.slice(i, i + BATCH));
  }

  async lidFor(sessionId: string, phone: Phone): Promise<Lid | null> {
    return (await this.pairAt(sessionId, phoneKey(phone)))?.lid ?? null;
  }

  async phoneFor(sessionId: string, lid: Lid): Promise<Phone | null> {
    return (await this.pairAt(sessionId, lidKey(lid)))?.phone ?? null;
  }

  private async pairAt(sessionId: string, idKey: string): Promise<LidPhonePair | null> {
    const out = await this.ctx.dynamo.send(
      new GetCommand({ TableName: tableName(this.ctx, 'lidMappings'), Key: { sessionId, idKey } }),
    );
    return out.Item
      ? toDomain(LidPhonePairSchema, out.Item, { internal: ['sessionId', 'idKey', 'updatedAt'] })
      : null;
  }

  private async write(table: string, batch: { PutRequest: { Item: Item } }[]): Promise<void> {
    await batchWriteAll(this.ctx, table, batch, 'lid mapping(s)');
  }
}
