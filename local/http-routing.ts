/**
 * API Gateway HTTP API route selection, pure. API Gateway picks the most specific route: a full literal match
 * beats one with `{param}` segments, which beats a greedy `{proxy+}`; a method-specific route beats `ANY`;
 * `$default` catches what nothing else matches. The same route keys are deployed by CDK.
 */

export interface ParsedRoute<T> {
  readonly route: T;
  readonly routeKey: string;
  readonly method: string;
  readonly segments: readonly Segment[];
}

type Segment =
  | { readonly kind: 'literal'; readonly value: string }
  | { readonly kind: 'param'; readonly name: string }
  | { readonly kind: 'greedy'; readonly name: string };

export interface RouteMatch<T> {
  readonly route: T;
  readonly routeKey: string;
  readonly pathParameters: Readonly<Record<string, string>> | undefined;
}

export class RouteKeyError extends Error {
  override readonly name = 'RouteKeyError';
}

export function parseRouteKey<T>(route: T, routeKey: string): ParsedRoute<T> {
  if (routeKey === '$default') return { route, routeKey, method: '$default', segments: [] };
  const match = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY) (\/\S*)$/.exec(routeKey);
  if (!match?.[1] || !match[2]) throw new RouteKeyError(`invalid route key "${routeKey}"`);
  const parts = match[2].split('/').slice(1);
  const segments = parts.map((part, i): Segment => {
    const param = /^\{([A-Za-z0-9_]+)(\+?)\}$/.exec(part);
    if (!param?.[1]) return { kind: 'literal', value: part };
    if (param[2] === '+') {
      if (i !== parts.length - 1) throw new RouteKeyError(`greedy parameter must be last in "${routeKey}"`);
      return { kind: 'greedy', name: param[1] };
    }
    return { kind: 'param', name: param[1] };
  });
  return { route, routeKey, method: match[1], segments };
}

export class HttpRouter<T> {
  private readonly routes: readonly ParsedRoute<T>[];
  private readonly fallback: ParsedRoute<T> | undefined;

  constructor(routes: readonly { route: T; routeKey: string }[]) {
    const parsed = routes.map((r) => parseRouteKey(r.route, r.routeKey));
    this.fallback = parsed.find((r) => r.method === '$default');
    this.routes = parsed.filter((r) => r.method !== '$default').sort(bySpecificity);
  }

  /** `rawPath` is the path as sent (percent-encoded); path parameters are decoded like API Gateway does. */
  match(method: string, rawPath: string): RouteMatch<T> | undefined {
    const parts = rawPath.split('/').slice(1);
    for (const candidate of this.routes) {
      if (candidate.method !== 'ANY' && candidate.method !== method.toUpperCase()) continue;
      const params = matchSegments(candidate.segments, parts);
      if (params) {
        const pathParameters = Object.keys(params).length > 0 ? params : undefined;
        return { route: candidate.route, routeKey: candidate.routeKey, pathParameters };
      }
    }
    return this.fallback && { route: this.fallback.route, routeKey: '$default', pathParameters: undefined };
  }
}

function matchSegments(
  segments: readonly Segment[],
  parts: readonly string[],
): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (const [i, segment] of segments.entries()) {
    if (segment.kind === 'greedy') {
      const rest = parts.slice(i);
      // `{proxy+}` needs at least one non-empty segment, as on API Gateway.
      if (rest.length === 0 || rest.join('/') === '') return undefined;
      params[segment.name] = safeDecode(rest.join('/'));
      return params;
    }
    const part = parts[i];
    if (part === undefined) return undefined;
    if (segment.kind === 'literal') {
      if (segment.value !== part) return undefined;
    } else {
      if (part === '') return undefined;
      params[segment.name] = safeDecode(part);
    }
  }
  return parts.length === segments.length ? params : undefined;
}

function bySpecificity<T>(a: ParsedRoute<T>, b: ParsedRoute<T>): number {
  const greedy = (r: ParsedRoute<T>) => (r.segments.some((s) => s.kind === 'greedy') ? 1 : 0);
  const params = (r: ParsedRoute<T>) => r.segments.filter((s) => s.kind !== 'literal').length;
  const literals = (r: ParsedRoute<T>) => r.segments.filter((s) => s.kind === 'literal').length;
  return (
    greedy(a) - greedy(b) ||
    params(a) - params(b) ||
    literals(b) - literals(a) ||
    (a.method === 'ANY' ? 1 : 0) - (b.method === 'ANY' ? 1 : 0)
  );
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
