/** Shared set-up for the DynamoDB adapter tests: one emulator start per file, fresh ids per test. */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import type { TableName } from '../../../../../shared/definitions/tables.js';
import { tableName, type DynamoContext } from '../../../../../shared/adapters/dynamodb/items.js';
import { startAwsEmulators, type AwsEmulators } from '../../../../support/aws-emulators.js';

export interface DynamoFixture {
  readonly ctx: DynamoContext;
  /** The stored item exactly as DynamoDB holds it, to check what the adapters write. */
  rawItem(table: TableName, key: Record<string, unknown>): Promise<Record<string, unknown> | undefined>;
}

/** Starts DynamoDB Local for the calling test file; the fixture is usable inside tests (after beforeAll). */
export function useDynamo(): DynamoFixture {
  let emulators: AwsEmulators | undefined;
  let ctx: DynamoContext | undefined;
  beforeAll(async () => {
    emulators = await startAwsEmulators();
    ctx = { dynamo: emulators.clients.dynamo, config: emulators.config };
  });
  afterAll(async () => {
    await emulators?.stop();
  });
  const need = (): DynamoContext => {
    if (!ctx) throw new Error('emulators not started');
    return ctx;
  };
  return {
    get ctx() {
      return need();
    },
    async rawItem(table, key) {
      const c = need();
      const out = await c.dynamo.send(
        new GetCommand({ TableName: tableName(c, table), Key: key, ConsistentRead: true }),
      );
      return out.Item;
    },
  };
}

/** A unique suffix so every test works on its own ids. */
export function uid(): string {
  return randomUUID().replaceAll('-', '').slice(0, 16);
}
