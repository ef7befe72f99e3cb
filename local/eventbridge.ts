/**
 * A local EventBridge that speaks the real JSON 1.1 protocol (`X-Amz-Target: AWSEvents.PutEvents`), so the
 * real `@aws-sdk/client-eventbridge` publishes to it. It validates like AWS (whole-request
 * `ValidationException` for more than 10 entries or over 256 KB; per-entry `ErrorCode`s counted in
 * `FailedEntryCount`), wraps each entry in the real envelope, matches the rules' patterns and sends matching
 * events to the rule's SQS queue as the message body. Delivery is asynchronous, as on AWS: PutEvents answers
 * before the targets are written, and a target that fails with a retryable error is tried again for up to 24 h
 * like AWS (`eventbridge-target-retry.ts`); `drain()` waits for in-flight deliveries.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { EVENT_RULES, type EventRuleDefinition } from '../shared/definitions/event-rules.js';
import type { QueueName } from '../shared/definitions/queues.js';
import { matchesPattern } from './event-pattern.js';
import {
  DeleteRuleRequestSchema,
  DynamicRules,
  PutRuleRequestSchema,
  PutTargetsRequestSchema,
  RemoveTargetsRequestSchema,
  RuleRequestError,
} from './eventbridge-rules.js';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './local-aws.js';
import { AWS_TARGET_RETRY, writeWithRetry, type TargetRetryPolicy } from './eventbridge-target-retry.js';
import { consoleLog, type LocalLog } from './log.js';
import { createSqsBatchWriter } from './sqs-batch-writer.js';

export const MAX_PUT_EVENTS_ENTRIES = 10;
export const MAX_PUT_EVENTS_BYTES = 256 * 1024;

export interface EventBridgeEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface EntryFailure {
  readonly ErrorCode: string;
  readonly ErrorMessage: string;
}

export interface LocalEventBridgeOptions {
  readonly sqs: SQSClient;
  /** The app's bus (rules live there); `default` exists too, with no rules. */
  readonly busName: string;
  readonly queueUrl: (queue: QueueName) => string | undefined;
  readonly rules?: readonly EventRuleDefinition[];
  readonly port?: number;
  readonly host?: string;
  readonly region?: string;
  readonly log?: LocalLog;
  /** Fault injection for tests of publishers' retry paths: return a failure to reject that entry. */
  readonly failEntry?: (entry: PutEventsEntry) => EntryFailure | undefined;
  /** How a target's retryable errors are retried (AWS's defaults unless a test shortens them). */
  readonly targetRetry?: TargetRetryPolicy;
}

export interface RunningEventBridge {
  readonly endpoint: string;
  readonly port: number;
  /** Resolves when every event accepted so far has been written to its targets (or given up on). */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

const PutEventsEntrySchema = z.object({
  Source: z.string().optional(),
  DetailType: z.string().optional(),
  Detail: z.string().optional(),
  Resources: z.array(z.string()).optional(),
  EventBusName: z.string().optional(),
  // The SDK sends `Time` as epoch seconds.
  Time: z.union([z.number(), z.string()]).optional(),
  TraceHeader: z.string().optional(),
});
export type PutEventsEntry = z.infer<typeof PutEventsEntrySchema>;

const PutEventsRequestSchema = z.object({
  Entries: z.array(PutEventsEntrySchema),
  EndpointId: z.string().optional(),
});

class ValidationException extends Error {
  override readonly name = 'ValidationException';
}

export async function startLocalEventBridge(options: LocalEventBridgeOptions): Promise<RunningEventBridge> {
  const region = options.region ?? LOCAL_REGION;
  const rules = options.rules ?? EVENT_RULES;
  const log = options.log ?? consoleLog;
  const pending = new Set<Promise<void>>();
  const dynamicRules = new DynamicRules(options.sqs, region);
  const targetRetry = options.targetRetry ?? AWS_TARGET_RETRY;
  const targets = createSqsBatchWriter(options.sqs);
  const stopping = new AbortController();

  function busOf(entry: PutEventsEntry): string {
    const name = entry.EventBusName ?? 'default';
    return name.startsWith('arn:') ? (name.split('event-bus/')[1] ?? name) : name;
  }

  type Checked =
    { ok: true; detail: Readonly<Record<string, unknown>> } | { ok: false; failure: EntryFailure };

  function check(entry: PutEventsEntry): Checked {
    const fail = (ErrorCode: string, ErrorMessage: string): Checked => ({
      ok: false,
      failure: { ErrorCode, ErrorMessage },
    });
    const bus = busOf(entry);
    if (bus !== 'default' && bus !== options.busName) {
      return fail('ResourceNotFoundException', `Event bus ${bus} does not exist.`);
    }
    for (const field of ['Source', 'DetailType', 'Detail'] as const) {
      if (!entry[field]) {
        return fail(
          'InvalidArgument',
          `Parameter ${field} is not valid. Reason: ${field} is a required argument.`,
        );
      }
    }
    if (entry.Source?.startsWith('aws.')) {
      return fail('NotAuthorizedForSourceException', 'Not authorized for the source.');
    }
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail ?? '');
    } catch {
      detail = undefined;
    }
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
      return fail('MalformedDetail', 'Detail is malformed.');
    }
    const injected = options.failEntry?.(entry);
    return injected
      ? { ok: false, failure: injected }
      : { ok: true, detail: detail as Record<string, unknown> };
  }

  function envelope(entry: PutEventsEntry, detail: Readonly<Record<string, unknown>>): EventBridgeEvent {
    const time = entry.Time === undefined ? new Date() : new Date(Number(entry.Time) * 1000);
    return {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType ?? '',
      source: entry.Source ?? '',
      account: LOCAL_ACCOUNT_ID,
      // EventBridge's `time` has second precision.
      time: (Number.isNaN(time.getTime()) ? new Date() : time).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region,
      resources: entry.Resources ?? [],
      detail,
    };
  }

  function send(ruleName: string, queueUrl: string, event: EventBridgeEvent): void {
    const body = JSON.stringify(event);
    // Each event is retried on its own; a try joins whatever batch its queue sends next.
    const write = () => targets.send(queueUrl, body);
    const sending = writeWithRetry(write, targetRetry, stopping.signal)
      .then((result) => {
        if (result.delivered) {
          if (result.attempts > 1)
            log('info', 'event delivered to target after retries', {
              rule: ruleName,
              attempts: result.attempts,
            });
          return;
        }
        const { attempts, reason, error } = result;
        log('error', 'could not deliver event to target', {
          rule: ruleName,
          eventId: event.id,
          attempts,
          reason,
          error,
        });
      })
      .finally(() => pending.delete(sending));
    pending.add(sending);
  }

  function deliver(bus: string, event: EventBridgeEvent): void {
    if (bus !== options.busName) return;
    for (const rule of rules) {
      if (!matchesPattern(rule.pattern, event)) continue;
      const queueUrl = options.queueUrl(rule.targetQueue);
      if (!queueUrl) {
        log('warn', 'rule target queue does not exist', { rule: rule.ruleName, queue: rule.targetQueue });
        continue;
      }
      send(rule.ruleName, queueUrl, event);
    }
    for (const rule of dynamicRules.enabled()) {
      if (!matchesPattern(rule.pattern, event)) continue;
      for (const queueUrl of rule.queueUrls) send(rule.name, queueUrl, event);
    }
  }

  /** Rule management for rules added at run time; every bus name but the app's is refused like AWS would. */
  async function manageRules(target: string, body: unknown): Promise<unknown> {
    const parse = <T>(schema: z.ZodType<T>): T => {
      const parsed = schema.safeParse(body);
      if (!parsed.success) throw new RuleRequestError('ValidationException', parsed.error.message);
      const bus = (parsed.data as { EventBusName?: string }).EventBusName;
      if (bus !== undefined && bus !== options.busName) {
        throw new RuleRequestError('ResourceNotFoundException', `Event bus ${bus} does not exist.`);
      }
      return parsed.data;
    };
    switch (target) {
      case 'AWSEvents.PutRule':
        return dynamicRules.putRule(parse(PutRuleRequestSchema), options.busName);
      case 'AWSEvents.PutTargets':
        return dynamicRules.putTargets(parse(PutTargetsRequestSchema));
      case 'AWSEvents.RemoveTargets':
        return dynamicRules.removeTargets(parse(RemoveTargetsRequestSchema));
      case 'AWSEvents.DeleteRule':
        return dynamicRules.deleteRule(parse(DeleteRuleRequestSchema));
      default:
        return undefined;
    }
  }

  function putEvents(body: unknown): {
    FailedEntryCount: number;
    Entries: (EntryFailure | { EventId: string })[];
  } {
    const request = PutEventsRequestSchema.safeParse(body);
    if (!request.success)
      throw new ValidationException(`invalid PutEvents request: ${request.error.message}`);
    const entries = request.data.Entries;
    if (entries.length < 1 || entries.length > MAX_PUT_EVENTS_ENTRIES) {
      throw new ValidationException(
        `1 validation error detected: Value at 'entries' failed to satisfy constraint: ` +
          `Member must have length less than or equal to ${MAX_PUT_EVENTS_ENTRIES} and greater than or equal to 1`,
      );
    }
    if (entries.reduce((sum, e) => sum + putEventsEntrySize(e), 0) > MAX_PUT_EVENTS_BYTES) {
      throw new ValidationException('Total size of the entries in the request is over the limit.');
    }
    const results = entries.map((entry) => {
      const checked = check(entry);
      if (!checked.ok) return checked.failure;
      const event = envelope(entry, checked.detail);
      deliver(busOf(entry), event);
      return { EventId: event.id };
    });
    return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    const target = req.headers['x-amz-target'];
    const known = ['PutEvents', 'PutRule', 'PutTargets', 'RemoveTargets', 'DeleteRule'].map(
      (o) => `AWSEvents.${o}`,
    );
    if (req.method !== 'POST' || typeof target !== 'string' || !known.includes(target)) {
      return reply(res, 400, {
        __type: 'UnknownOperationException',
        message: `Unsupported operation ${String(target)}`,
      });
    }
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return reply(res, 400, {
        __type: 'SerializationException',
        message: 'Request body is not valid JSON.',
      });
    }
    try {
      reply(res, 200, target === 'AWSEvents.PutEvents' ? putEvents(body) : await manageRules(target, body));
    } catch (error) {
      if (error instanceof RuleRequestError)
        return reply(res, 400, { __type: error.type, message: error.message });
      if (!(error instanceof ValidationException)) throw error;
      reply(res, 400, { __type: 'ValidationException', message: error.message });
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log('error', 'local EventBridge failed', { error });
      if (!res.headersSent) reply(res, 500, { __type: 'InternalException', message: 'Internal error.' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const drain = async () => {
    while (pending.size > 0) await Promise.all([...pending]);
  };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    drain,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      // Events still waiting for a retry are given up (and logged): a stopped bus delivers nothing more.
      stopping.abort();
      await drain();
    },
  };
}

/** AWS's documented entry size: 14 bytes for Time if set, plus the UTF-8 sizes of the strings. */
export function putEventsEntrySize(entry: PutEventsEntry): number {
  const bytes = (s: string | undefined) => (s ? Buffer.byteLength(s, 'utf8') : 0);
  return (
    (entry.Time === undefined ? 0 : 14) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    (entry.Resources ?? []).reduce((sum, r) => sum + bytes(r), 0)
  );
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  const errorType =
    status >= 400 && typeof body === 'object' && body !== null && '__type' in body ? body.__type : undefined;
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(payload),
    'x-amzn-requestid': randomUUID(),
    ...(typeof errorType === 'string' ? { 'x-amzn-errortype': errorType } : {}),
  });
  res.end(payload);
}
