/**
 * Runs async work over a list with at most `limit` calls in flight. Used where a host touches many sessions at
 * once (claim rounds, dead-host releases, handover): one conditional write at a time is too slow for hundreds
 * of sessions, and an unbounded `Promise.all` would burst DynamoDB into throttling and starve the event loop.
 * Items are started in list order, so a prioritised list keeps its priority.
 */
export async function forEachBounded<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      await work(items[index] as T, index);
    }
  };
  const workers = Math.max(1, Math.min(Math.floor(limit), items.length));
  await Promise.all(Array.from({ length: workers }, worker));
}

/** `forEachBounded` collecting each item's result, in input order. */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  await forEachBounded(items, limit, async (item, i) => {
    out[i] = await work(item, i);
  });
  return out;
}
