/**
 * EventBridge event pattern matching, pure, for the local bus. Follows EventBridge's documented semantics so a
 * rule that matches here matches on AWS:
 * - every field of the pattern must match (AND); the values listed for one field are alternatives (OR);
 * - when the event's value is an array, the field matches if any element matches;
 * - a missing field matches only `{ exists: false }` (so `anything-but` never matches a missing field);
 * - `exists` only looks at leaves: an object value neither "exists" nor "does not exist" for it;
 * - numbers compare by value (`300` equals `3.0e2`), strings never equal numbers.
 */
import type { EventPattern, EventPatternValue } from '../shared/definitions/event-rules.js';

type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json };
type JsonObject = { readonly [key: string]: Json };

export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  return matchObject(pattern, isObject(event) ? event : undefined);
}

function matchObject(pattern: EventPattern, value: JsonObject | undefined): boolean {
  for (const [field, expected] of Object.entries(pattern)) {
    const actual = value?.[field];
    if (isValueList(expected)) {
      if (!matchLeaf(expected, actual)) return false;
    } else if (actual !== undefined && !isObject(actual)) {
      // A nested pattern never matches a leaf value.
      return false;
    } else if (!matchObject(expected, actual)) {
      return false;
    }
  }
  return true;
}

function matchLeaf(alternatives: readonly EventPatternValue[], actual: Json | undefined): boolean {
  if (actual === undefined) return alternatives.some((a) => isExists(a) && a.exists === false);
  if (isObject(actual)) return false;
  const values: readonly Json[] = Array.isArray(actual) ? actual : [actual as Json];
  return alternatives.some((alternative) => {
    if (isExists(alternative)) return alternative.exists;
    return values.some((v) => matchValue(alternative, v));
  });
}

function matchValue(expected: EventPatternValue, actual: Json): boolean {
  if (expected === null || typeof expected !== 'object') return equal(expected, actual);
  if ('prefix' in expected) return typeof actual === 'string' && actual.startsWith(expected.prefix);
  if ('suffix' in expected) return typeof actual === 'string' && actual.endsWith(expected.suffix);
  if ('anything-but' in expected) {
    const excluded = expected['anything-but'];
    const list: readonly (string | number)[] = Array.isArray(excluded)
      ? excluded
      : [excluded as string | number];
    return !list.some((e) => equal(e, actual));
  }
  if ('numeric' in expected) return typeof actual === 'number' && matchNumeric(expected.numeric, actual);
  return false;
}

function equal(expected: string | number | boolean | null, actual: Json): boolean {
  if (typeof expected === 'number' && typeof actual === 'number') return expected === actual;
  return expected === actual;
}

const COMPARATORS: Readonly<Record<string, (a: number, b: number) => boolean>> = {
  '=': (a, b) => a === b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

/** `numeric` is a flat list of operator/operand pairs, all of which must hold: `['>', 0, '<=', 5]`. */
function matchNumeric(conditions: readonly (string | number)[], actual: number): boolean {
  if (conditions.length === 0 || conditions.length % 2 !== 0) return false;
  for (let i = 0; i < conditions.length; i += 2) {
    const operator = conditions[i];
    const operand = Number(conditions[i + 1]);
    const compare = typeof operator === 'string' ? COMPARATORS[operator] : undefined;
    if (!compare || Number.isNaN(operand) || !compare(actual, operand)) return false;
  }
  return true;
}

function isValueList(
  value: readonly EventPatternValue[] | EventPattern,
): value is readonly EventPatternValue[] {
  return Array.isArray(value);
}

function isExists(value: EventPatternValue): value is { exists: boolean } {
  return typeof value === 'object' && value !== null && 'exists' in value;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
