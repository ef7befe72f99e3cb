/**
 * WebSocket connections in the `wsConnections` table, listed per session through the sparse `bySession` index
 * (tenant-wide connections carry no `sessionId`) and per tenant through `byTenant`.
 */
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  WsConnectionSchema,
  type WsConnection,
  type WsConnectionRepository,
} from '../../ports/ws-connection-repository.js';
import { epochSeconds, queryAll, tableName, toDomain, type DynamoContext } from './items.js';

export class DynamoWsConnectionRepository implements WsConnectionRepository {
  constructor(private readonly ctx: DynamoContext) {}

  async put(connection: WsConnection): Promise<void> {
    const item = WsConnectionSchema.parse(connection);
    await this.ctx.dynamo.send(
      new PutCommand({ TableName: tableName(this.ctx, 'wsConnections'), Item: item }),
    );
  }

  async delete(connectionId: string): Promise<void> {
    await this.ctx.dynamo.send(
      new DeleteCommand({ TableName: tableName(this.ctx, 'wsConnections'), Key: { connectionId } }),
    );
  }

  async listBySession(sessionId: string, now: Date = new Date()): Promise<WsConnection[]> {
    // A session has a handful of browser tabs at most, so reading them all is bounded by construction.
    const items = await queryAll(this.ctx, {
      TableName: tableName(this.ctx, 'wsConnections'),
      IndexName: 'bySession',
      KeyConditionExpression: 'sessionId = :sessionId',
      FilterExpression: 'expiresAt > :now',
      ExpressionAttributeValues: { ':sessionId': sessionId, ':now': epochSeconds(now) },
    });
    return items.map((item) => toDomain(WsConnectionSchema, item));
  }

  async listByTenant(tenantId: string, now: Date = new Date()): Promise<WsConnection[]> {
    // Bounded by the per-tenant cap `$connect` enforces (APP_WS_MAX_CONNECTIONS_PER_TENANT).
    const items = await queryAll(this.ctx, {
      TableName: tableName(this.ctx, 'wsConnections'),
      IndexName: 'byTenant',
      KeyConditionExpression: 'tenantId = :tenantId',
      FilterExpression: 'expiresAt > :now',
      ExpressionAttributeValues: { ':tenantId': tenantId, ':now': epochSeconds(now) },
    });
    return items.map((item) => toDomain(WsConnectionSchema, item));
  }
}
