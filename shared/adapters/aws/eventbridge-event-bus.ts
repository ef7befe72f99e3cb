/**
 * EventBus on EventBridge: PutEvents in batches within the API's limits (10 entries, 256 KB), `Source`
 * `wa-platform`, `DetailType` the event type, `Detail` the whole envelope (so rules filter on `detail.tenantId`).
 * PutEvents is not all-or-nothing: failed entries come back per entry and are retried with exponential backoff
 * and jitter a bounded number of times; what still fails is reported in one `EventPublishError`.
 */
import {
  PutEventsCommand,
  type EventBridgeClient,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { DomainEventSchema, toEventBusEntry, type DomainEvent } from '../../domain/events.js';
import { EventPublishError, type EventBus } from '../../ports/event-bus.js';

export const PUT_EVENTS_MAX_ENTRIES = 10;
export const PUT_EVENTS_MAX_BYTES = 256 * 1024;

/** Entry errors that a retry cannot fix. */
const PERMANENT_ERRORS = new Set([
  'MalformedDetail',
  'InvalidArgument',
  'NotAuthorizedForSourceException',
  'AccessDeniedException',
]);

export interface EventBridgeEventBusOptions {
  readonly client: EventBridgeClient;
  readonly busName: string;
  /** Attempts per entry, the first included. */
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

interface Pending {
  readonly event: DomainEvent;
  readonly entry: PutEventsRequestEntry;
  readonly size: number;
  lastCode: string;
  lastError: string;
}

export class EventBridgeEventBus implements EventBus {
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: EventBridgeEventBusOptions) {
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 4);
    this.baseDelayMs = options.baseDelayMs ?? 100;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async publish(events: readonly DomainEvent[]): Promise<void> {
    const failures: { eventId: string; type: string; error: string }[] = [];
    const fail = (p: Pending) =>
      failures.push({ eventId: p.event.id, type: p.event.type, error: p.lastError });
    let pending: Pending[] = [];
    for (const raw of events) {
      const event = DomainEventSchema.parse(raw);
      const entry: PutEventsRequestEntry = toEventBusEntry(event, this.options.busName);
      const p: Pending = { event, entry, size: entrySize(entry), lastCode: '', lastError: '' };
      if (p.size > PUT_EVENTS_MAX_BYTES) {
        p.lastError = `EntryTooLarge: ${p.size} bytes is over the ${PUT_EVENTS_MAX_BYTES} byte limit`;
        fail(p);
      } else {
        pending.push(p);
      }
    }
    for (let attempt = 1; pending.length > 0; attempt++) {
      const retry: Pending[] = [];
      for (const batch of batches(pending)) {
        for (const p of await this.put(batch)) {
          if (PERMANENT_ERRORS.has(p.lastCode) || attempt >= this.maxAttempts) fail(p);
          else retry.push(p);
        }
      }
      pending = retry;
      if (pending.length > 0) await this.sleep(this.backoff(attempt));
    }
    if (failures.length > 0) throw new EventPublishError(failures);
  }

  /** Puts one batch; returns the entries that failed, each with its error. */
  private async put(batch: readonly Pending[]): Promise<Pending[]> {
    try {
      const out = await this.options.client.send(
        new PutEventsCommand({ Entries: batch.map((p) => p.entry) }),
      );
      if (!out.FailedEntryCount) return [];
      return batch.filter((p, i) => {
        const result = out.Entries?.[i];
        if (!result?.ErrorCode) return false;
        p.lastCode = result.ErrorCode;
        p.lastError = `${result.ErrorCode}: ${result.ErrorMessage ?? ''}`;
        return true;
      });
    } catch (error) {
      // The SDK has already retried throttling and 5xx; a whole-call failure is retried here like entry errors.
      const name = error instanceof Error ? error.name : 'Error';
      for (const p of batch) {
        p.lastCode = name;
        p.lastError = `${name}: ${error instanceof Error ? error.message : String(error)}`;
      }
      return [...batch];
    }
  }

  private backoff(attempt: number): number {
    const ceiling = this.baseDelayMs * 2 ** (attempt - 1);
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }
}

/** Greedy packing in order, so events of one session keep their relative order across batches. */
function* batches(pending: readonly Pending[]): Generator<Pending[]> {
  let batch: Pending[] = [];
  let bytes = 0;
  for (const p of pending) {
    if (batch.length === PUT_EVENTS_MAX_ENTRIES || bytes + p.size > PUT_EVENTS_MAX_BYTES) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(p);
    bytes += p.size;
  }
  if (batch.length > 0) yield batch;
}

/** EventBridge's documented entry size: 14 bytes for Time, plus the UTF-8 sizes of the strings. */
export function entrySize(entry: PutEventsRequestEntry): number {
  const bytes = (s: string | undefined) => (s ? Buffer.byteLength(s, 'utf8') : 0);
  return (
    (entry.Time ? 14 : 0) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    (entry.Resources ?? []).reduce((sum, r) => sum + bytes(r), 0)
  );
}
