/**
 * How the local EventBridge writes events to its SQS targets: every message put for one queue in the same turn
 * of the event loop (the entries of one PutEvents, or of PutEvents handled together) goes out in
 * `SendMessageBatch` calls of up to 10 sent side by side, instead of one `SendMessage` each. AWS's bus writes
 * per event on its own servers; locally every SQS call is an SDK round trip on the same CPU as the consumers, so
 * a burst of events cost the emulator ten times the calls. Each message still succeeds or fails on its own: a
 * failed entry rejects only its own `send`, with an error shaped like the SDK's (name and HTTP status), so the
 * caller's per-event retry (`writeWithRetry`) treats it as it would a failed `SendMessage`.
 */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** SQS's limits for one `SendMessageBatch`: 10 entries, 256 KiB of bodies in all. */
const MAX_ENTRIES = 10;
const MAX_BATCH_BYTES = 256 * 1024;

/** One entry that SQS refused inside a batch that otherwise went through. */
export class SqsBatchEntryError extends Error {
  readonly $metadata: { readonly httpStatusCode: number };

  constructor(code: string, message: string, senderFault: boolean) {
    super(message);
    // The SDK names its errors by their code; `isRetryableTargetError` reads the name and the status.
    this.name = code;
    // A sender's fault is a standing answer (a 4xx); otherwise SQS may take it on a later try.
    this.$metadata = { httpStatusCode: senderFault ? 400 : 500 };
  }
}

interface Pending {
  readonly body: string;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export interface SqsBatchWriter {
  /** Resolves once SQS has accepted this message; rejects with the call's or the entry's error. */
  send(queueUrl: string, body: string): Promise<void>;
}

export function createSqsBatchWriter(sqs: SQSClient): SqsBatchWriter {
  const waiting = new Map<string, Pending[]>();

  function chunks(pending: readonly Pending[]): Pending[][] {
    const out: Pending[][] = [];
    let current: Pending[] = [];
    let bytes = 0;
    for (const p of pending) {
      const size = Buffer.byteLength(p.body);
      if (current.length > 0 && (current.length === MAX_ENTRIES || bytes + size > MAX_BATCH_BYTES)) {
        out.push(current);
        current = [];
        bytes = 0;
      }
      current.push(p);
      bytes += size;
    }
    if (current.length > 0) out.push(current);
    return out;
  }

  async function write(queueUrl: string, batch: readonly Pending[]): Promise<void> {
    try {
      const result = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: batch.map((p, i) => ({ Id: String(i), MessageBody: p.body })),
        }),
      );
      const failed = new Map((result.Failed ?? []).map((f) => [f.Id, f]));
      batch.forEach((p, i) => {
        const failure = failed.get(String(i));
        if (!failure) return p.resolve();
        p.reject(
          new SqsBatchEntryError(
            failure.Code ?? 'InternalError',
            failure.Message ?? 'SendMessageBatch entry failed',
            failure.SenderFault ?? false,
          ),
        );
      });
    } catch (error) {
      for (const p of batch) p.reject(error);
    }
  }

  function flush(queueUrl: string): void {
    const pending = waiting.get(queueUrl) ?? [];
    waiting.delete(queueUrl);
    for (const batch of chunks(pending)) void write(queueUrl, batch);
  }

  return {
    send(queueUrl, body) {
      return new Promise<void>((resolve, reject) => {
        let pending = waiting.get(queueUrl);
        if (!pending) {
          pending = [];
          waiting.set(queueUrl, pending);
          // The rest of this turn's messages for the queue join the batch.
          setImmediate(() => flush(queueUrl));
        }
        pending.push({ body, resolve, reject });
      });
    },
  };
}
