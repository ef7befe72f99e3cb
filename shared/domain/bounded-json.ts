/**
 * Bounds for free-form JSON fields (a send's `metadata`, and any later field of unknown shape): how deep, how
 * many keys, how many bytes. Without them a client's nesting reaches DynamoDB (which refuses items nested past
 * 32 levels) and, deeper still, every recursive walk over the value. The walk here is iterative, so it is safe
 * on any input; the request body's own depth is capped before `JSON.parse` (`functions/http/middleware`).
 */
import type { z } from 'zod';

export interface JsonBounds {
  /** `{"a":1}` is 1 level deep, `{"a":{"b":1}}` 2. */
  readonly maxDepth: number;
  /** Object keys at every level, counted together. */
  readonly maxKeys: number;
  /** Size of the value as compact JSON, UTF-8. */
  readonly maxBytes: number;
}

/** Infinity for values JSON cannot hold (bigint, cycles), which code, not a client, could pass. */
export function jsonByteLength(value: unknown): number {
  try {
    return new TextEncoder().encode(JSON.stringify(value)).byteLength;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/** Depth and key count in one iterative pass that stops as soon as either bound is passed. */
function measure(value: unknown, bounds: JsonBounds): { tooDeep: boolean; tooManyKeys: boolean } {
  const pending: { node: unknown; depth: number }[] = [{ node: value, depth: 0 }];
  let keys = 0;
  while (pending.length > 0) {
    const { node, depth } = pending.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth + 1 > bounds.maxDepth) return { tooDeep: true, tooManyKeys: false };
    const children = Array.isArray(node) ? (node as unknown[]) : Object.values(node);
    if (!Array.isArray(node)) {
      keys += children.length;
      if (keys > bounds.maxKeys) return { tooDeep: false, tooManyKeys: true };
    }
    for (const child of children) pending.push({ node: child, depth: depth + 1 });
  }
  return { tooDeep: false, tooManyKeys: false };
}

/** Zod checks for `bounds`, one issue per bound passed, each naming the limit. */
export function jsonBoundsCheck(bounds: JsonBounds) {
  return (value: unknown, ctx: z.core.$RefinementCtx): void => {
    const { tooDeep, tooManyKeys } = measure(value, bounds);
    if (tooDeep) ctx.addIssue({ code: 'custom', message: `nested deeper than ${bounds.maxDepth} levels` });
    if (tooManyKeys) ctx.addIssue({ code: 'custom', message: `has more than ${bounds.maxKeys} keys` });
    if (!tooDeep && !tooManyKeys && jsonByteLength(value) > bounds.maxBytes) {
      ctx.addIssue({ code: 'custom', message: `must be at most ${bounds.maxBytes} bytes as JSON` });
    }
  };
}

/** How the bounds read in the OpenAPI document. */
export function describeJsonBounds(bounds: JsonBounds): string {
  return `at most ${bounds.maxDepth} levels deep, ${bounds.maxKeys} keys in total and ${bounds.maxBytes} bytes as JSON`;
}
