/**
 * Browser WebSocket connections: `$connect` stores one, `$disconnect` removes it, the session host lists a
 * session's connections to push QR and status frames, the realtime worker a tenant's to push events. A
 * connection is bound to one session (the pairing page, a console session view) or tenant-wide (no `sessionId`:
 * the console's overview, every session of the tenant). Items carry a TTL (API Gateway closes every
 * connection after 2 hours), and reads skip expired items because DynamoDB deletes them only eventually (and
 * DynamoDB Local never).
 */
import * as z from 'zod';
import { IdSchema, TimestampSchema } from '../domain/ids.js';

/** API Gateway's maximum WebSocket connection duration; no connection item outlives it. */
export const WS_CONNECTION_MAX_SECONDS = 2 * 3600;

export const WsConnectionSchema = z.object({
  /** API Gateway's connection id (not a ULID). */
  connectionId: z.string().min(1).max(128),
  /** Absent for a tenant-wide connection. */
  sessionId: IdSchema.optional(),
  tenantId: IdSchema,
  connectedAt: TimestampSchema,
  /** Epoch seconds; the table's TTL attribute. */
  expiresAt: z.number().int().positive(),
});
export type WsConnection = z.infer<typeof WsConnectionSchema>;

export interface WsConnectionRepository {
  /** Idempotent: a reconnect with the same id overwrites. */
  put(connection: WsConnection): Promise<void>;
  /** Deleting a connection that is already gone is not an error. */
  delete(connectionId: string): Promise<void>;
  /** Every live (not expired at `now`) connection of the session. */
  listBySession(sessionId: string, now?: Date): Promise<WsConnection[]>;
  /** Every live connection of the tenant, tenant-wide and session-bound (at most the per-tenant cap). */
  listByTenant(tenantId: string, now?: Date): Promise<WsConnection[]>;
}
