/**
 * A counting wrapper around a DynamoDB client: a middleware on the client's own stack that records every call
 * (the command's name, the tables it touches, when), once per call whatever the SDK's retries. Attached to the
 * client a host uses (`decorateAdapters`), it shows what one send costs in DynamoDB round trips.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface DynamoCall {
  /** `TransactWriteItems`, `UpdateItem`, ... */
  readonly operation: string;
  readonly at: number;
  /** For a transaction, one entry per item (`Update messages`, `ConditionCheck sessions`...); else the table. */
  readonly parts: readonly string[];
  readonly input: Record<string, unknown>;
}

type Entry = Record<string, { TableName?: string } | undefined>;

export class DynamoCallLog {
  readonly calls: DynamoCall[] = [];

  constructor(private readonly tablePrefix: string) {}

  attach(client: DynamoDBDocumentClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = (args.input ?? {}) as Record<string, unknown>;
        this.calls.push({
          operation: String(context.commandName ?? '').replace(/Command$/, ''),
          at: Date.now(),
          parts: this.partsOf(input),
          input,
        });
        return next(args);
      },
      { step: 'initialize', name: 'testDynamoCallLog' },
    );
  }

  /** Calls since `at` that touch one of `tables` (logical names, e.g. `messages`). */
  touching(tables: readonly string[], since = 0): DynamoCall[] {
    return this.calls.filter(
      (c) => c.at >= since && c.parts.some((p) => tables.includes(p.split(' ').pop()!)),
    );
  }

  private partsOf(input: Record<string, unknown>): string[] {
    const table = (name: unknown) => String(name ?? '').slice(this.tablePrefix.length);
    if (Array.isArray(input['TransactItems'])) {
      return (input['TransactItems'] as Entry[]).map((item) => {
        const [kind, body] = Object.entries(item)[0] ?? ['?', undefined];
        return `${kind} ${table(body?.TableName)}`;
      });
    }
    if (input['RequestItems'] && typeof input['RequestItems'] === 'object') {
      return Object.keys(input['RequestItems']).map(table);
    }
    return [table(input['TableName'])];
  }
}
