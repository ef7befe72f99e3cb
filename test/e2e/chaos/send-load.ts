/**
 * A steady send rate through the product's durable path, as a careful tenant's app drives it: `POST .../messages`
 * with an `Idempotency-Key`, retried with the same key until the API answers 202 (a 5xx, a 429 or a broken
 * connection may come after the send was stored: the key makes the retry answer the stored message). Every
 * accepted send is recorded with its id and its unique text, so the test can count it at the contact.
 */
import type { ApiClient } from '../../support/api-client.js';

export interface AcceptedSend {
  readonly key: string;
  readonly messageId: string;
  readonly sessionId: string;
  readonly contact: string;
  readonly text: string;
  /** Answers before the 202 (5xx, 429, network errors). */
  readonly retries: number;
}

export interface SendTarget {
  readonly sessionId: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class SendLoad {
  readonly accepted: AcceptedSend[] = [];
  /** Sends given up (should stay empty: the client retries until the API accepts). */
  readonly abandoned: { key: string; last: string }[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private running = false;
  private seq = 0;

  constructor(
    private readonly api: ApiClient,
    private readonly sessions: readonly SendTarget[],
    private readonly contacts: readonly string[],
    private readonly runId: string,
    private readonly perSecond: number,
  ) {}

  /** Starts sending; returns at once. */
  start(): void {
    this.running = true;
    void this.pump();
  }

  /** Stops starting sends and waits until every started one is accepted (or given up after `graceMs`). */
  async stop(graceMs: number): Promise<void> {
    this.running = false;
    const deadline = Date.now() + graceMs;
    this.graceUntil = deadline;
    await Promise.all([...this.inFlight]);
  }

  /** The text a send carries: unique per send, so the contact's inbox can be counted per send. */
  textOf(key: string): string {
    return `chaos ${key}`;
  }

  private graceUntil = Number.POSITIVE_INFINITY;

  private async pump(): Promise<void> {
    const gap = 1000 / this.perSecond;
    let next = Date.now();
    while (this.running) {
      const i = this.seq++;
      const task = this.send(i).finally(() => this.inFlight.delete(task));
      this.inFlight.add(task);
      next += gap;
      await sleep(Math.max(0, next - Date.now()));
    }
  }

  private async send(i: number): Promise<void> {
    const session = this.sessions[i % this.sessions.length]!;
    const contact = this.contacts[i % this.contacts.length]!;
    const key = `${this.runId}-${i}`;
    const body = { to: contact, type: 'text', text: { body: this.textOf(key) } };
    let retries = 0;
    let last: string;
    for (;;) {
      try {
        const answer = await this.api.post<{ id?: string }>(
          `/v1/sessions/${session.sessionId}/messages`,
          body,
          { 'idempotency-key': key },
        );
        if (answer.status === 202 && answer.body.id) {
          this.accepted.push({
            key,
            messageId: answer.body.id,
            sessionId: session.sessionId,
            contact,
            text: body.text.body,
            retries,
          });
          return;
        }
        // 4xx other than 429 is a bug of the product or of this client: no retry makes it right.
        if (answer.status !== 429 && answer.status < 500) {
          this.abandoned.push({ key, last: `${answer.status} ${JSON.stringify(answer.body)}` });
          return;
        }
        last = String(answer.status);
      } catch (error) {
        last = String(error);
      }
      retries++;
      if (Date.now() > this.graceUntil) {
        this.abandoned.push({ key, last });
        return;
      }
      await sleep(Math.min(2000, 100 * 2 ** Math.min(retries, 5)));
    }
  }
}
