/**
 * A cheap scan of raw JSON text for nesting depth, run before `JSON.parse`. A body under the size cap can still
 * nest ten thousand levels (`[[[[...`), which overflows the stack of every recursive walk after the parse (zod,
 * DynamoDB marshalling). The scan is one linear pass with no recursion, and it names the top-level field the
 * deep value sits in, so the 400 points at it.
 */

/**
 * No schema of this API nests anywhere near this deep (the deepest free-form field allows 8 levels below its
 * own); the margin keeps the scan from refusing any valid request.
 */
export const MAX_JSON_BODY_DEPTH = 32;

export interface TooDeep {
  /** JSON pointer of the top-level field holding the deep value (`/metadata`), `''` for the body itself. */
  readonly pointer: string;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;

function pointerSegment(raw: string): string {
  let key: string;
  try {
    // A string literal alone is flat; parsing it is safe and decodes its escapes.
    key = JSON.parse(raw) as string;
  } catch {
    key = raw.slice(1, -1);
  }
  return `/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/**
 * Where `text` first nests deeper than `maxDepth`, or undefined. Malformed JSON is not judged here (the parser
 * refuses it next); brackets inside strings are skipped.
 */
export function findTooDeep(text: string, maxDepth = MAX_JSON_BODY_DEPTH): TooDeep | undefined {
  let depth = 0;
  // The top-level container, and the last string (candidate key) or element index seen directly inside it.
  let topIsArray = false;
  let topIndex = 0;
  let lastTopString = '';
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const start = i;
      for (i += 1; i < text.length; i += 1) {
        const s = text.charCodeAt(i);
        if (s === BACKSLASH) i += 1;
        else if (s === QUOTE) break;
      }
      if (depth === 1 && !topIsArray) lastTopString = text.slice(start, i + 1);
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      depth += 1;
      if (depth === 1) topIsArray = c === OPEN_ARRAY;
      if (depth > maxDepth) {
        if (maxDepth < 1) return { pointer: '' };
        return { pointer: topIsArray ? `/${topIndex}` : pointerSegment(lastTopString) };
      }
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth -= 1;
    } else if (c === COMMA && depth === 1) {
      topIndex += 1;
    }
  }
  return undefined;
}
