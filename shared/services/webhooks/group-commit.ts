/**
 * Group commit: calls made while no flush is running are gathered and sent as one batch on the next turn of the
 * event loop; calls made while a flush is running wait for the next one. One call alone is flushed at once
 * (no timer), so a lone delivery pays no latency, while the records of a busy batch share round trips. Nobody
 * waits for a batch they are not in: a slow delivery does not hold back the writes of the fast ones.
 */
export type BatchFlush<I, O> = (inputs: readonly I[]) => Promise<readonly O[]>;

export function groupCommit<I, O>(flush: BatchFlush<I, O>, maxBatch: number): (input: I) => Promise<O> {
  type Pending = { input: I; resolve: (output: O) => void; reject: (error: unknown) => void };
  let queue: Pending[] = [];
  let flushing = false;

  const drain = async (): Promise<void> => {
    flushing = true;
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      try {
        const outputs = await flush(batch.map((p) => p.input));
        if (outputs.length !== batch.length) throw new Error('a batch flush returned the wrong count');
        batch.forEach((p, i) => p.resolve(outputs[i] as O));
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
    flushing = false;
  };

  return (input) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ input, resolve, reject });
      if (!flushing && queue.length === 1) setImmediate(() => void drain());
    });
}
