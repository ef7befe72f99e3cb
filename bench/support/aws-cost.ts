/**
 * What the AWS requests of one operation cost at list price, so a benchmark can print an estimate per million
 * messages next to its call counts (issue #14). Request charges only: Lambda duration, storage, data transfer and
 * free tiers are left out (they depend on memory size, retention and volume, not on the code path measured).
 *
 * Prices are us-east-1 on-demand list prices in USD per million units, as published when this was written;
 * check the AWS pricing pages before quoting a figure. Units follow DynamoDB's rules for items up to 1 KB
 * (writes) / 4 KB (reads), which is what the product's message, session and rate-limit items are: a larger item
 * costs more units, so the estimate is a floor for those calls.
 */
export const LIST_PRICE_USD_PER_MILLION = {
  /** DynamoDB on-demand write request unit. */
  dynamoWriteUnit: 0.625,
  /** DynamoDB on-demand read request unit. */
  dynamoReadUnit: 0.125,
  /** SQS standard queue request (up to 64 KB). */
  sqsRequest: 0.4,
  /** EventBridge custom event put (up to 64 KB). */
  eventBridgeEvent: 1.0,
  /** API Gateway HTTP API request (first 300 million a month). */
  httpApiRequest: 1.0,
  /** Lambda invocation (request charge; duration not included). */
  lambdaInvocation: 0.2,
} as const;

export type PricedUnit = keyof typeof LIST_PRICE_USD_PER_MILLION;
export type Units = Partial<Record<PricedUnit, number>>;

/** The fields of an SDK command input that decide its units. */
export interface CommandInput {
  readonly ConsistentRead?: boolean;
  readonly TransactItems?: readonly unknown[];
  readonly RequestItems?: Readonly<Record<string, unknown>>;
  readonly Entries?: readonly unknown[];
}

/** Units one SDK call consumes, by service and operation (`GetItem`, `TransactWriteItems`, `SendMessage`...). */
export function unitsOf(service: string, operation: string, input: CommandInput = {}): Units {
  const readUnit = input.ConsistentRead ? 1 : 0.5;
  if (service === 'DynamoDB') {
    switch (operation) {
      case 'GetItem':
      case 'Query':
        return { dynamoReadUnit: readUnit };
      case 'BatchGetItem':
        return { dynamoReadUnit: readUnit * requestedKeys(input.RequestItems, 'Keys') };
      case 'PutItem':
      case 'UpdateItem':
      case 'DeleteItem':
        return { dynamoWriteUnit: 1 };
      case 'BatchWriteItem':
        return { dynamoWriteUnit: requestedKeys(input.RequestItems) };
      // Transactions cost two units per item, condition checks included.
      case 'TransactWriteItems':
        return { dynamoWriteUnit: 2 * (input.TransactItems?.length ?? 0) };
      case 'TransactGetItems':
        return { dynamoReadUnit: 2 * (input.TransactItems?.length ?? 0) };
      default:
        return {};
    }
  }
  if (service === 'SQS') return { sqsRequest: 1 };
  if (service === 'EventBridge') return { eventBridgeEvent: input.Entries?.length ?? 1 };
  return {};
}

/** Adds units; `scale` divides, e.g. by the number of messages to get units per message. */
export function sumUnits(all: Iterable<Units>, scale = 1): Units {
  const total: Units = {};
  for (const units of all)
    for (const [unit, amount] of Object.entries(units) as [PricedUnit, number][])
      total[unit] = (total[unit] ?? 0) + amount / scale;
  return total;
}

/** USD per million messages when each message consumes `perMessage`, by unit and in total. */
export function costPerMillionMessages(perMessage: Units): { byUnit: Units; totalUsd: number } {
  const byUnit: Units = {};
  let totalUsd = 0;
  for (const [unit, amount] of Object.entries(perMessage) as [PricedUnit, number][]) {
    const usd = amount * LIST_PRICE_USD_PER_MILLION[unit];
    byUnit[unit] = Math.round(usd * 1000) / 1000;
    totalUsd += usd;
  }
  return { byUnit, totalUsd: Math.round(totalUsd * 1000) / 1000 };
}

function requestedKeys(requestItems: CommandInput['RequestItems'], field?: 'Keys'): number {
  let count = 0;
  for (const perTable of Object.values(requestItems ?? {})) {
    if (field) count += (perTable as { Keys?: unknown[] }).Keys?.length ?? 0;
    else count += Array.isArray(perTable) ? perTable.length : 0;
  }
  return count;
}
