/** Creates the app's tables in DynamoDB Local from the shared definitions (the same ones CDK deploys). */
import {
  CreateTableCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  TABLES,
  physicalTableName,
  type KeyAttribute,
  type TableDefinition,
} from '../shared/definitions/tables.js';

export async function createTables(client: DynamoDBClient, prefix: string): Promise<string[]> {
  const names: string[] = [];
  for (const table of Object.values(TABLES)) {
    const name = physicalTableName(prefix, table.logicalName);
    await createTable(client, name, table);
    names.push(name);
  }
  return names;
}

async function createTable(client: DynamoDBClient, name: string, table: TableDefinition): Promise<void> {
  const keySchema = (pk: KeyAttribute, sk?: KeyAttribute) => [
    { AttributeName: pk.name, KeyType: 'HASH' as const },
    ...(sk ? [{ AttributeName: sk.name, KeyType: 'RANGE' as const }] : []),
  ];
  const attributes = new Map<string, AttributeDefinition>();
  const add = (a?: KeyAttribute) =>
    a && attributes.set(a.name, { AttributeName: a.name, AttributeType: a.type });
  add(table.partitionKey);
  add(table.sortKey);
  for (const index of table.globalIndexes) {
    add(index.partitionKey);
    add(index.sortKey);
  }
  try {
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: keySchema(table.partitionKey, table.sortKey),
        AttributeDefinitions: [...attributes.values()],
        ...(table.globalIndexes.length > 0
          ? {
              GlobalSecondaryIndexes: table.globalIndexes.map((index) => ({
                IndexName: index.indexName,
                KeySchema: keySchema(index.partitionKey, index.sortKey),
                Projection: { ProjectionType: 'ALL' as const },
              })),
            }
          : {}),
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
    return;
  }
  if (table.ttlAttribute) {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: name,
        TimeToLiveSpecification: { AttributeName: table.ttlAttribute, Enabled: true },
      }),
    );
  }
}
