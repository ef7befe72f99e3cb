/**
 * DynamoDB table definitions: the one source that both the CDK stack (infra/) and the local cloud (local/)
 * build their tables from, so the two can never drift apart.
 *
 * One table per entity kind keeps IAM grants narrow (the session host never touches api keys or tenants).
 * Physical names are `${prefix}${logicalName}`; the prefix comes from configuration (`APP_TABLE_PREFIX`).
 */

export type AttributeType = 'S' | 'N';

export interface KeyAttribute {
  readonly name: string;
  readonly type: AttributeType;
}

export interface GlobalIndexDefinition {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
}

export interface TableDefinition {
  readonly logicalName: TableName;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  readonly globalIndexes: readonly GlobalIndexDefinition[];
  /** Attribute holding an epoch-seconds expiry. DynamoDB Local never deletes expired items: reads filter on it. */
  readonly ttlAttribute?: string;
}

export const TABLE_NAMES = [
  'tenants',
  'apiKeys',
  'sessions',
  'messages',
  'chats',
  'wsConnections',
  'wsTickets',
  'webhooks',
  'deliveries',
  'idempotency',
  'hosts',
  'rateLimits',
  'eventOutbox',
  'lidMappings',
  'credentials',
  'hostReplies',
  'contactChecks',
  'groups',
  'pools',
  'poolAssignments',
] as const;
export type TableName = (typeof TABLE_NAMES)[number];

const s = (name: string): KeyAttribute => ({ name, type: 'S' });
const n = (name: string): KeyAttribute => ({ name, type: 'N' });

export const TABLES: Readonly<Record<TableName, TableDefinition>> = {
  tenants: { logicalName: 'tenants', partitionKey: s('tenantId'), globalIndexes: [] },
  /** Keyed by the key's hash so authentication is one strongly consistent GetItem. */
  apiKeys: {
    logicalName: 'apiKeys',
    partitionKey: s('keyHash'),
    globalIndexes: [{ indexName: 'byTenant', partitionKey: s('tenantId'), sortKey: s('keyId') }],
  },
  /**
   * `byLease` finds sessions to claim: partition `desired` ("running"), sort `leaseUntil` (0 when unowned),
   * so a host asks for `desired = running AND leaseUntil < now` without a scan.
   */
  sessions: {
    logicalName: 'sessions',
    partitionKey: s('sessionId'),
    globalIndexes: [
      { indexName: 'byTenant', partitionKey: s('tenantId'), sortKey: s('sessionId') },
      { indexName: 'byLease', partitionKey: s('desired'), sortKey: n('leaseUntil') },
      { indexName: 'byOwner', partitionKey: s('owner'), sortKey: s('sessionId') },
    ],
  },
  /**
   * Message ids are ULIDs, so the sort key is send order. `byChat` serves history per chat; `byWaId` maps
   * WhatsApp receipts back to our message; `queued` is sparse (only queued items carry `queuedFor`), so a
   * host that claims a session drains exactly what is left to send, in order. `byPendingEvent` is the
   * `message.received` outbox, sparse too: a received message carries `eventPendingSession` until its event is
   * on the bus, so a host that claims the session republishes what a crashed one stored but never published.
   * `readReceiptsPending` is sparse as well: an inbound message marked read through the API carries
   * `receiptPendingFor` until the owner host has sent its read receipt to WhatsApp (POST .../chats/{chatId}/read).
   * `sending` is sparse too: an outbound message carries `sendingFor` while it is `sending`, so a host that claims
   * the session finds the sends a killed owner left unfinished with one small query, not a walk of the history.
   */
  messages: {
    logicalName: 'messages',
    partitionKey: s('sessionId'),
    sortKey: s('messageId'),
    globalIndexes: [
      { indexName: 'byChat', partitionKey: s('chatKey'), sortKey: s('messageId') },
      { indexName: 'byWaId', partitionKey: s('waKey') },
      { indexName: 'queued', partitionKey: s('queuedFor'), sortKey: s('messageId') },
      { indexName: 'byPendingEvent', partitionKey: s('eventPendingSession'), sortKey: s('messageId') },
      { indexName: 'readReceiptsPending', partitionKey: s('receiptPendingFor'), sortKey: s('messageId') },
      { indexName: 'sending', partitionKey: s('sendingFor'), sortKey: s('messageId') },
    ],
  },
  chats: {
    logicalName: 'chats',
    partitionKey: s('sessionId'),
    sortKey: s('chatJid'),
    globalIndexes: [{ indexName: 'byActivity', partitionKey: s('sessionId'), sortKey: s('lastMessageAt') }],
  },
  /**
   * Browser sockets. `bySession` is sparse: a tenant-wide socket (the console's) has no `sessionId`. `byTenant`
   * lists every socket of a tenant: the realtime push, the per-tenant cap and suspension read it.
   */
  wsConnections: {
    logicalName: 'wsConnections',
    partitionKey: s('connectionId'),
    globalIndexes: [
      { indexName: 'bySession', partitionKey: s('sessionId'), sortKey: s('connectionId') },
      { indexName: 'byTenant', partitionKey: s('tenantId'), sortKey: s('connectionId') },
    ],
    ttlAttribute: 'expiresAt',
  },
  /** Single-use browser tickets; stored hashed, consumed with a conditional delete. */
  wsTickets: {
    logicalName: 'wsTickets',
    partitionKey: s('ticketHash'),
    globalIndexes: [],
    ttlAttribute: 'expiresAt',
  },
  webhooks: {
    logicalName: 'webhooks',
    partitionKey: s('tenantId'),
    sortKey: s('webhookId'),
    globalIndexes: [],
  },
  deliveries: {
    logicalName: 'deliveries',
    partitionKey: s('webhookId'),
    sortKey: s('deliveryId'),
    globalIndexes: [],
    ttlAttribute: 'expiresAt',
  },
  /** Powertools idempotency layout (`id` + `expiration`), also used for the HTTP `Idempotency-Key`. */
  idempotency: {
    logicalName: 'idempotency',
    partitionKey: s('id'),
    globalIndexes: [],
    ttlAttribute: 'expiration',
  },
  /** Session hosts' heartbeats and command queue URLs. */
  hosts: { logicalName: 'hosts', partitionKey: s('hostId'), globalIndexes: [], ttlAttribute: 'expiresAt' },
  /** Fixed-window counters per tenant and bucket. */
  rateLimits: {
    logicalName: 'rateLimits',
    partitionKey: s('bucketKey'),
    globalIndexes: [],
    ttlAttribute: 'expiresAt',
  },
  /**
   * The session host's event outbox (docs/messaging.md, "Event outbox"): one item per `session.status` or
   * `message.status` event from before it is handed to the bus until the bus took it. The sort key is the
   * event id (a ULID: creation order), so a session's pending events are read back oldest first with one
   * strongly consistent query on the table itself, no index.
   */
  eventOutbox: {
    logicalName: 'eventOutbox',
    partitionKey: s('sessionId'),
    sortKey: s('eventId'),
    globalIndexes: [],
    ttlAttribute: 'expiresAt',
  },
  /**
   * Per session, what WhatsApp revealed of LID <-> phone: `idKey` `pn#<E.164>` and `lid#<digits>`, both items
   * holding the pair, so a send (phone -> LID) and a receive (LID -> phone) are each one GetItem.
   */
  lidMappings: {
    logicalName: 'lidMappings',
    partitionKey: s('sessionId'),
    sortKey: s('idKey'),
    globalIndexes: [],
  },
  /**
   * Baileys' credentials per key (docs/credentials-and-commands.md, "Credential items"): `itemKey` `creds`,
   * `<type>#<id>` for each Signal key, and `dataKey` (the session's wrapped data key); values sealed per item.
   * Written only by the session's lease holder (fenced on owner and lease epoch).
   */
  credentials: {
    logicalName: 'credentials',
    partitionKey: s('sessionId'),
    sortKey: s('itemKey'),
    globalIndexes: [],
  },
  /**
   * Host request/reply (`shared/contracts/host-request.ts`): the owner host's answer to one API request, keyed by
   * the request id the API made, read by the waiting API with strongly consistent GetItems. Kept minutes (TTL):
   * a reply only matters while its request waits; a late one expires unread.
   */
  hostReplies: {
    logicalName: 'hostReplies',
    partitionKey: s('requestId'),
    globalIndexes: [],
    ttlAttribute: 'expiresAt',
  },
  /**
   * Number checks per session (`POST .../contacts/check`): one item per phone with what WhatsApp answered, for
   * 24 h (TTL), so checking a number again does not ask WhatsApp again (repeated lookups get accounts banned).
   */
  contactChecks: {
    logicalName: 'contactChecks',
    partitionKey: s('sessionId'),
    sortKey: s('phone'),
    globalIndexes: [],
    ttlAttribute: 'expiresAt',
  },
  /**
   * A session's groups (`GET /v1/sessions/{id}/groups` lists them without asking WhatsApp): one item per group
   * with its settings and member list, written by the owner host from group notifications and by the API from
   * its own group calls.
   */
  groups: {
    logicalName: 'groups',
    partitionKey: s('sessionId'),
    sortKey: s('groupId'),
    globalIndexes: [],
  },
  /**
   * Number pools (docs/pools.md) per tenant: `itemKey` `pool#<poolId>` for the pool, `load#<poolId>#<sessionId>`
   * for a member's load in it (today's new contacts, messages sent, last send), read with the pool's other
   * routing inputs in one BatchGetItem and written in the send's transaction.
   */
  pools: {
    logicalName: 'pools',
    partitionKey: s('tenantId'),
    sortKey: s('itemKey'),
    globalIndexes: [],
  },
  /**
   * One item per pool and contact: the contact's member, written with a condition (absent, or this version) in
   * the send's transaction so racing sends agree. `byMember` lists a member's contacts (failover of its queued
   * messages) and finds the pool of an inbound message's contact on that member.
   */
  poolAssignments: {
    logicalName: 'poolAssignments',
    partitionKey: s('poolId'),
    sortKey: s('contact'),
    globalIndexes: [{ indexName: 'byMember', partitionKey: s('memberId'), sortKey: s('contact') }],
  },
};

export function physicalTableName(prefix: string, table: TableName): string {
  return `${prefix}${table}`;
}
