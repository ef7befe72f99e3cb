import { describe, expect, it } from 'vitest';
import { costPerMillionMessages, sumUnits, unitsOf } from '../../../../bench/support/aws-cost.js';

describe('AWS request cost estimate', () => {
  it('counts DynamoDB units by operation: transactions at two per item, consistent reads at one', () => {
    expect(unitsOf('DynamoDB', 'TransactWriteItems', { TransactItems: [{}, {}, {}, {}, {}] })).toEqual({
      dynamoWriteUnit: 10,
    });
    expect(unitsOf('DynamoDB', 'GetItem', {})).toEqual({ dynamoReadUnit: 0.5 });
    expect(unitsOf('DynamoDB', 'GetItem', { ConsistentRead: true })).toEqual({ dynamoReadUnit: 1 });
    expect(unitsOf('DynamoDB', 'BatchWriteItem', { RequestItems: { a: [{}, {}], b: [{}] } })).toEqual({
      dynamoWriteUnit: 3,
    });
    expect(unitsOf('DynamoDB', 'BatchGetItem', { RequestItems: { a: { Keys: [{}, {}, {}] } } })).toEqual({
      dynamoReadUnit: 1.5,
    });
    expect(unitsOf('SQS', 'SendMessage')).toEqual({ sqsRequest: 1 });
  });

  it('prices units per message at list price', () => {
    const perMessage = sumUnits(
      [
        { dynamoWriteUnit: 10, httpApiRequest: 1 },
        { dynamoWriteUnit: 10, dynamoReadUnit: 1, httpApiRequest: 1 },
      ],
      2,
    );
    expect(perMessage).toEqual({ dynamoWriteUnit: 10, dynamoReadUnit: 0.5, httpApiRequest: 1 });
    const cost = costPerMillionMessages(perMessage);
    // 10 WRU x 0.625 + 0.5 RRU x 0.125 + 1 request x 1.00 per million
    expect(cost.byUnit).toEqual({ dynamoWriteUnit: 6.25, dynamoReadUnit: 0.063, httpApiRequest: 1 });
    expect(cost.totalUsd).toBe(7.313);
  });
});
