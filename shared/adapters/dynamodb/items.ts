/** Small helpers shared by the DynamoDB repositories: errors, paging, TTL and item <-> domain mapping. */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { z } from 'zod';
import { InternalError } from '../../domain/errors.js';
import type { AppConfig } from '../../config/app-config.js';
import { physicalTableName, type TableName } from '../../definitions/tables.js';
import type { Page, PageRequest } from '../../ports/pagination.js';
import { decodeCursor, encodeCursor, type CursorShape } from './cursor.js';

export type Item = Record<string, unknown>;

export interface DynamoContext {
  readonly dynamo: DynamoDBDocumentClient;
  readonly config: Pick<AppConfig, 'APP_RESOURCE_PREFIX' | 'APP_CURSOR_SECRET'>;
}

export function tableName(ctx: DynamoContext, table: TableName): string {
  return physicalTableName(ctx.config.APP_RESOURCE_PREFIX, table);
}

export function isConditionFailed(error: unknown): error is ConditionalCheckFailedException {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'ConditionalCheckFailedException')
  );
}

/**
 * The per-item codes of a cancelled transaction, in `TransactItems` order (`ConditionalCheckFailed`, `None`...),
 * or `[]` when the error is not a cancelled transaction.
 */
export function cancellationCodes(error: unknown): (string | undefined)[] {
  const cancelled =
    error instanceof TransactionCanceledException ||
    (error instanceof Error && error.name === 'TransactionCanceledException');
  if (!cancelled) return [];
  const reasons = (error as Partial<TransactionCanceledException>).CancellationReasons ?? [];
  return reasons.map((r) => r.Code);
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

export function pageSize(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_PAGE_SIZE;
  return Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(limit)));
}

/**
 * One page of a query. With a filter (expired TTL items), DynamoDB's `Limit` counts items read, not returned,
 * so a page may come back short; we keep reading, asking each time only for what is still missing, so we never
 * read past what we return and the last `LastEvaluatedKey` is an exact resume point.
 */
export async function queryPage<T>(
  ctx: DynamoContext,
  input: Omit<QueryCommandInput, 'Limit' | 'ExclusiveStartKey'>,
  shape: CursorShape,
  request: PageRequest,
  map: (item: Item) => T,
): Promise<Page<T>> {
  const limit = pageSize(request.limit);
  // The list a cursor belongs to: table, index and order, on top of the repository's own binding.
  const bound: CursorShape = {
    ...shape,
    binding: {
      table: input.TableName ?? null,
      index: input.IndexName ?? null,
      forward: input.ScanIndexForward ?? true,
      ...shape.binding,
    },
  };
  const secret = ctx.config.APP_CURSOR_SECRET;
  let startKey: Item | undefined = decodeCursor(request.cursor, bound, secret);
  const items: T[] = [];
  do {
    const out = await ctx.dynamo.send(
      new QueryCommand({ ...input, Limit: limit - items.length, ExclusiveStartKey: startKey }),
    );
    for (const item of out.Items ?? []) items.push(map(item));
    startKey = out.LastEvaluatedKey;
  } while (startKey && items.length < limit);
  const cursor = encodeCursor(startKey, bound, secret);
  return cursor ? { items, cursor } : { items };
}

/** Every item of a query; only for sets that are small by construction (one host's sessions, one queue). */
export async function queryAll(
  ctx: DynamoContext,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey'>,
): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const out = await ctx.dynamo.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
    items.push(...(out.Items ?? []));
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/**
 * Maps a stored item to its domain object: storage-only attributes (GSI keys, TTL, hashes) are dropped, key
 * attributes renamed to the domain's field names, and the result validated. A stored item that fails validation
 * is our bug, not the caller's: it becomes an InternalError, never a client's 400.
 */
export function toDomain<S extends z.ZodType>(
  schema: S,
  item: Item,
  options: { readonly internal?: readonly string[]; readonly rename?: Readonly<Record<string, string>> } = {},
): z.output<S> {
  const copy: Item = { ...item };
  for (const name of options.internal ?? []) delete copy[name];
  for (const [from, to] of Object.entries(options.rename ?? {})) {
    copy[to] = copy[from];
    delete copy[from];
  }
  const parsed = schema.safeParse(copy);
  if (!parsed.success) throw new InternalError({ cause: parsed.error });
  return parsed.data;
}

export function epochSeconds(at: Date | number): number {
  return Math.floor((typeof at === 'number' ? at : at.getTime()) / 1000);
}

/** Builds `SET a = :a, b = :b` pieces for the defined fields of a patch, with name placeholders throughout. */
export function setClauses(
  patch: Record<string, unknown>,
  names: Record<string, string>,
  values: Record<string, unknown>,
): string[] {
  return patchClauses(patch, names, values).set;
}

/**
 * Like `setClauses`, with `null` meaning "remove the attribute": DynamoDB has no null-as-absent, and the domain
 * schemas spell an unset optional field as absent, never as null.
 */
export function patchClauses(
  patch: Record<string, unknown>,
  names: Record<string, string>,
  values: Record<string, unknown>,
): { set: string[]; remove: string[] } {
  const set: string[] = [];
  const remove: string[] = [];
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    names[`#${field}`] = field;
    if (value === null) {
      remove.push(`#${field}`);
    } else {
      values[`:${field}`] = value;
      set.push(`#${field} = :${field}`);
    }
  }
  return { set, remove };
}

/** `SET ... REMOVE ...` from the pieces; either may be empty, not both. */
export function updateExpression(set: readonly string[], remove: readonly string[]): string {
  return [
    set.length > 0 ? `SET ${set.join(', ')}` : '',
    remove.length > 0 ? `REMOVE ${remove.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join(' ');
}

/**
 * Applies a patch (`patchClauses`: `null` removes, `undefined` skips) to an item that must exist (its
 * `existsAttribute` is present), and answers the item as written, or `null` when there is no such item. The patch
 * must change something.
 */
export async function patchExistingItem(
  ctx: DynamoContext,
  input: {
    readonly table: string;
    readonly key: Item;
    readonly existsAttribute: string;
    readonly patch: Record<string, unknown>;
  },
): Promise<Item | null> {
  const names: Record<string, string> = { '#exists': input.existsAttribute };
  const values: Record<string, unknown> = {};
  const { set, remove } = patchClauses(input.patch, names, values);
  try {
    const out = await ctx.dynamo.send(
      new UpdateCommand({
        TableName: input.table,
        Key: input.key,
        UpdateExpression: updateExpression(set, remove),
        ConditionExpression: 'attribute_exists(#exists)',
        ExpressionAttributeNames: names,
        ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
        ReturnValues: 'ALL_NEW',
      }),
    );
    return out.Attributes ?? {};
  } catch (error) {
    if (isConditionFailed(error)) return null;
    throw error;
  }
}
