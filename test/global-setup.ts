/**
 * One DynamoDB Local (a JVM: seconds of CPU to start and warm up) for the whole test run instead of one per test
 * file. Files keep apart by table prefix, as they already did within one database (`sharedDb`); the endpoint
 * reaches the test workers through the environment they inherit (`LOCAL_DYNAMODB_ENDPOINT`, local/dynamodb.ts).
 *
 * The functions' Powertools logger runs at WARN in tests unless the caller says otherwise: the handlers and
 * workers the local product runs in a test's process log every refused request and worker step at INFO, which
 * buried the test reporter's output in CI (a few hundred lines a run). Tests that read those logs use their own
 * logger double.
 */
import { SHARED_DYNAMODB_ENV, startDynamoDbLocal } from '../local/dynamodb.js';

export default async function setup(): Promise<() => Promise<void>> {
  process.env['POWERTOOLS_LOG_LEVEL'] ??= 'WARN';
  if (process.env[SHARED_DYNAMODB_ENV]) return async () => undefined;
  const dynamo = await startDynamoDbLocal({ startTimeoutMs: 120_000 });
  process.env[SHARED_DYNAMODB_ENV] = dynamo.endpoint;
  return async () => {
    delete process.env[SHARED_DYNAMODB_ENV];
    await dynamo.stop();
  };
}
