import { RestError } from './errors.js';
import { API_PREFIX, type RestMethod, type RestRoute } from './route.js';

/**
 * Matches a request path against the route table: segments compared raw (so `%2F` in an id never makes a new
 * segment), then percent-decoded into the path parameters; a path some route has but not with this method is 405
 * with `Allow`, a path none has is 404.
 */

interface Compiled {
  route: RestRoute;
  /** Literal segments, or the parameter's name for `{name}`. */
  segments: { literal?: string; param?: string }[];
}

/** The routes, compiled for matching. */
export class Router {
  private readonly compiled: Compiled[];

  constructor(routes: readonly RestRoute[]) {
    this.compiled = routes.map((route) => ({
      route,
      segments: route.path
        .split('/')
        .slice(1)
        .map((s) => (s.startsWith('{') ? { param: s.slice(1, -1) } : { literal: s })),
    }));
  }

  /**
   * The route of `method` at `path` (the full path, with /api/v1) and its decoded parameters.
   *
   * @example
   * router.match('GET', '/api/v1/systems/web1'); // { route: getSystem, params: { id: 'web1' } }
   */
  match(method: string, path: string): { route: RestRoute; params: Record<string, string> } {
    const parts = path.slice(API_PREFIX.length).split('/').slice(1);
    const allow: RestMethod[] = [];
    for (const c of this.compiled) {
      const params = matchSegments(c, parts);
      if (params === undefined) continue;
      if (c.route.method === method) return { route: c.route, params };
      allow.push(c.route.method);
    }
    if (allow.length > 0)
      throw new RestError(
        'REST_METHOD',
        `${method.slice(0, 16)} is not allowed here; use ${allow.join(', ')}`,
        {
          allow,
        },
      );
    throw new RestError('REST_NO_ROUTE', 'No resource at this path', {
      hint: `See ${API_PREFIX}/openapi.json`,
    });
  }
}

function matchSegments(c: Compiled, parts: string[]): Record<string, string> | undefined {
  if (parts.length !== c.segments.length) return undefined;
  const params: Record<string, string> = Object.create(null);
  for (let i = 0; i < parts.length; i++) {
    const seg = c.segments[i];
    const part = parts[i] ?? '';
    if (seg?.literal !== undefined) {
      if (part !== seg.literal) return undefined;
    } else if (seg?.param !== undefined) {
      if (part === '') return undefined;
      params[seg.param] = decodeSegment(part);
    }
  }
  return params;
}

function decodeSegment(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new RestError('REST_INVALID_PATH', 'A path segment has malformed percent-encoding (RFC 3986 §2.1)');
  }
}
