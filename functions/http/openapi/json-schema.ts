/**
 * zod 4's native `z.toJSONSchema`, adapted to OpenAPI 3.1: the per-schema `$defs` (recursive types such as the
 * free-form `metadata` JSON) are hoisted into `components.schemas`, deduplicated by content, and their `$ref`s
 * rewritten, because a `#/$defs/...` pointer inside an OpenAPI document would point at the document root.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';

export type JsonSchema = Record<string, unknown>;

export class SchemaComponents {
  readonly schemas: Record<string, JsonSchema> = {};
  private readonly byContent = new Map<string, string>();

  /** The OpenAPI schema object for `schema`; `io` is `input` for requests (defaults optional), `output` else. */
  convert(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
    const raw = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
    const { $schema: _dialect, $defs, ...rest } = raw as JsonSchema & { $defs?: Record<string, JsonSchema> };
    const renames = new Map<string, string>();
    const defs = Object.entries($defs ?? {});
    // Names first (a def may refer to another), then the rewritten bodies.
    for (const [name, def] of defs) renames.set(name, this.nameFor(def));
    for (const [name, def] of defs) {
      const target = renames.get(name)!;
      this.schemas[target] ??= this.rewrite(def, renames) as JsonSchema;
    }
    return this.rewrite(rest, renames) as JsonSchema;
  }

  private nameFor(def: JsonSchema): string {
    const content = JSON.stringify(def);
    const known = this.byContent.get(content);
    if (known) return known;
    const name = `Def${createHash('sha256').update(content).digest('hex').slice(0, 8)}`;
    this.byContent.set(content, name);
    return name;
  }

  private rewrite(node: unknown, renames: ReadonlyMap<string, string>): unknown {
    if (Array.isArray(node)) return node.map((n) => this.rewrite(n, renames));
    if (node === null || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith('#/$defs/')) {
        const name = renames.get(value.slice('#/$defs/'.length));
        out[key] = name ? `#/components/schemas/${name}` : value;
      } else {
        out[key] = this.rewrite(value, renames);
      }
    }
    return out;
  }
}
