/** OpenAPI operations of `POOL_ROUTES` (docs/pools.md; docs/api.md, "Pools"). */
import { SendMessageRequestSchema } from '../../../shared/domain/message.js';
import {
  CreatePoolRequestSchema,
  PoolContactPathSchema,
  PoolPathSchema,
  UpdatePoolRequestSchema,
} from '../../../shared/domain/pool.js';
import { IdempotencyKeySchema } from '../../../shared/services/idempotency.js';
import { PoolSendResponseSchema } from '../../../shared/services/pool-send.js';
import { PoolContactViewSchema, PoolViewSchema } from '../../../shared/services/pools.js';
import { PageQuerySchema } from '../schemas.js';
import type { OperationSpec } from './operation.js';
import { pageSchema } from '../../../shared/services/views.js';

export const POOL_OPERATIONS: readonly OperationSpec[] = [
  {
    routeKey: 'POST /v1/pools',
    operationId: 'createPool',
    summary: 'Create a number pool',
    description:
      'Sessions of the tenant that send as one: each contact sticks to one member, new contacts go to the ' +
      "healthiest member. 404 for a member that is not the tenant's session; 409 for a session listed twice.",
    tag: 'pools',
    scopes: ['sessions:write'],
    body: CreatePoolRequestSchema,
    errors: [409],
    responses: { 201: { description: 'Created', schema: PoolViewSchema } },
  },
  {
    routeKey: 'GET /v1/pools',
    operationId: 'listPools',
    summary: 'List number pools',
    tag: 'pools',
    scopes: ['sessions:read'],
    query: PageQuerySchema,
    responses: { 200: { description: 'A page of pools', schema: pageSchema(PoolViewSchema) } },
  },
  {
    routeKey: 'GET /v1/pools/{poolId}',
    operationId: 'getPool',
    summary: 'Read a pool with its members’ health and stats',
    tag: 'pools',
    scopes: ['sessions:read'],
    path: PoolPathSchema,
    responses: { 200: { description: 'The pool', schema: PoolViewSchema } },
  },
  {
    routeKey: 'PATCH /v1/pools/{poolId}',
    operationId: 'updatePool',
    summary: 'Change a pool’s name, members or policy',
    description: 'Members kept keep their warm-up. 409 for a session listed twice or a concurrent change.',
    tag: 'pools',
    scopes: ['sessions:write'],
    path: PoolPathSchema,
    body: UpdatePoolRequestSchema,
    errors: [409],
    responses: { 200: { description: 'The pool', schema: PoolViewSchema } },
  },
  {
    routeKey: 'DELETE /v1/pools/{poolId}',
    operationId: 'deletePool',
    summary: 'Delete a pool (its sessions stay)',
    tag: 'pools',
    scopes: ['sessions:write'],
    path: PoolPathSchema,
    responses: { 204: { description: 'Deleted' } },
  },
  {
    routeKey: 'POST /v1/pools/{poolId}/messages',
    operationId: 'sendToPool',
    summary: 'Send a message through a pool',
    description:
      'The same body as a session send. The contact’s member sends it (a new contact gets the healthiest ' +
      'member; a contact whose member died moves, with `pool.reassigned`). `Idempotency-Key` is scoped to the ' +
      'pool: a retry answers the same message on the same member. 409 for a pool without members, ' +
      '`no-member-available` when no member can take the contact now.',
    tag: 'pools',
    scopes: ['messages:send'],
    path: PoolPathSchema,
    headers: [
      {
        name: 'Idempotency-Key',
        description: 'Makes retries safe for 24 hours',
        schema: IdempotencyKeySchema,
      },
    ],
    body: SendMessageRequestSchema,
    errors: [409],
    responses: { 202: { description: 'Queued on a member', schema: PoolSendResponseSchema } },
  },
  {
    routeKey: 'GET /v1/pools/{poolId}/contacts/{contact}',
    operationId: 'getPoolContact',
    summary: 'Which member a contact is assigned to',
    tag: 'pools',
    scopes: ['messages:read'],
    path: PoolContactPathSchema,
    responses: { 200: { description: 'The assignment', schema: PoolContactViewSchema } },
  },
];
