/**
 * `wsTickets` table: key `ticketHash`, TTL `expiresAt` (epoch s). Redeeming is one conditional delete that also
 * checks the expiry, so two browsers racing with one ticket get one connection, and an expired ticket (which
 * DynamoDB deletes only eventually, DynamoDB Local never) does not redeem.
 */
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { IdSchema } from '../../domain/ids.js';
import {
  WS_TICKET_PATTERN,
  WS_TICKET_TTL_SECONDS,
  generateWsTicket,
  hashWsTicket,
  type IssuedWsTicket,
  type WsTicketStore,
} from '../../ports/ws-ticket-store.js';
import type { WsTicketGrant } from '../../ports/ws-ticket-verifier.js';
import { epochSeconds, isConditionFailed, tableName, type DynamoContext } from './items.js';

// A tenant-wide ticket's item has no `sessionId`.
const GrantItemSchema = z.object({ tenantId: IdSchema, sessionId: IdSchema.optional() });

export class DynamoWsTicketStore implements WsTicketStore {
  private readonly table: string;

  constructor(
    private readonly ctx: DynamoContext,
    private readonly now: () => number = Date.now,
  ) {
    this.table = tableName(ctx, 'wsTickets');
  }

  async issue(
    grant: WsTicketGrant,
    options: { ttlSeconds?: number; now?: number } = {},
  ): Promise<IssuedWsTicket> {
    const ticket = generateWsTicket();
    const issuedAt = options.now ?? this.now();
    const expiresAt = epochSeconds(issuedAt) + (options.ttlSeconds ?? WS_TICKET_TTL_SECONDS);
    await this.ctx.dynamo.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          ticketHash: hashWsTicket(ticket),
          tenantId: grant.tenantId,
          ...(grant.sessionId === undefined ? {} : { sessionId: grant.sessionId }),
          createdAt: new Date(issuedAt).toISOString(),
          expiresAt,
        },
        // 256 random bits never collide; the condition only guards against overwriting by mistake.
        ConditionExpression: 'attribute_not_exists(ticketHash)',
      }),
    );
    return { ticket, expiresAt };
  }

  async redeem(ticket: string): Promise<WsTicketGrant | null> {
    if (!WS_TICKET_PATTERN.test(ticket)) return null;
    try {
      const out = await this.ctx.dynamo.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { ticketHash: hashWsTicket(ticket) },
          ConditionExpression: 'attribute_exists(ticketHash) AND expiresAt > :now',
          ExpressionAttributeValues: { ':now': epochSeconds(this.now()) },
          ReturnValues: 'ALL_OLD',
        }),
      );
      const grant = GrantItemSchema.safeParse(out.Attributes);
      if (!grant.success) return null;
      const { tenantId, sessionId } = grant.data;
      return sessionId === undefined ? { tenantId } : { tenantId, sessionId };
    } catch (error) {
      // Unknown, already used, or expired: all the same to the caller (and to an attacker).
      if (isConditionFailed(error)) return null;
      throw error;
    }
  }
}
