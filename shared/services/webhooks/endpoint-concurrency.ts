/**
 * Per-endpoint concurrency cap for webhook POSTs: at most `limit` requests in flight to one endpoint (origin)
 * from this process; the others wait their turn in arrival order. Endpoints do not share slots, so a slow
 * receiver holds only its own slots and the deliveries to every other endpoint of the batch go ahead.
 */
export class EndpointConcurrency {
  private readonly endpoints = new Map<string, { active: number; waiting: (() => void)[] }>();

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('the cap must be a positive integer');
  }

  /** Runs `task` once `endpoint` has a free slot. */
  async run<T>(endpoint: string, task: () => Promise<T>): Promise<T> {
    let state = this.endpoints.get(endpoint);
    if (!state) {
      state = { active: 0, waiting: [] };
      this.endpoints.set(endpoint, state);
    }
    if (state.active >= this.limit) {
      await new Promise<void>((resolve) => state.waiting.push(resolve));
    } else {
      state.active++;
    }
    try {
      return await task();
    } finally {
      const next = state.waiting.shift();
      // The slot passes straight to the next waiter, so `active` stays counted.
      if (next) next();
      else if (--state.active === 0) this.endpoints.delete(endpoint);
    }
  }

  /** Requests in flight to `endpoint` (for tests). */
  active(endpoint: string): number {
    return this.endpoints.get(endpoint)?.active ?? 0;
  }
}

/** The cap's key: scheme, host and port, what one receiver is. An unparsable URL is its own key. */
export function endpointKey(url: string): string {
  return URL.parse(url)?.origin ?? url;
}
