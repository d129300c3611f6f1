import { Type } from '@sinclair/typebox';
import { MetricsSnapshotSchema, SystemSampleSchema, SystemStatsSchema } from '../api/index.js';
import { RestError } from './errors.js';
import { type RestRoute, wire } from './route.js';
import { strictObject } from './schemas.js';

/**
 * A system's metrics series (GET /systems/{id}/metrics?range=1h), from the host's ring buffer, and its driver's raw
 * statistics read now (GET /systems/{id}/stats).
 */

const UNIT_S = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/**
 * `?range=`: a duration such as `90s`, `15m`, `1h`, `2d` (at most 7 days), in seconds.
 *
 * @example
 * rangeSeconds('1h'); // 3600
 */
export function rangeSeconds(text: string): number {
  const m = /^([0-9]{1,6})([smhd])$/.exec(text);
  const s = m === null ? Number.NaN : Number(m[1]) * UNIT_S[m[2] as keyof typeof UNIT_S];
  if (!(s >= 1 && s <= 7 * 86_400))
    throw new RestError(
      'REST_INVALID_QUERY',
      `Query parameter "range": "${text.slice(0, 32)}" is not a duration`,
      {
        hint: 'Use a number and a unit, s, m, h or d, up to 7d: range=1h',
      },
    );
  return s;
}

/** Routes of /metrics/latest (the latest sample of the host and each system), /systems/{id}/metrics and /stats. */
export const METRICS_ROUTES: readonly RestRoute[] = [
  {
    method: 'GET',
    path: '/metrics/latest',
    operationId: 'getLatestMetrics',
    summary: "The latest sample of the host and of each system, and the sampler's interval (JSON)",
    calls: 'metrics.current',
    responses: {
      200: { description: 'What the sampler read last', schema: MetricsSnapshotSchema },
    },
    handle: async ({ api }) => ({ status: 200, body: wire('metrics.current', await api.metrics.current()) }),
  },
  {
    method: 'GET',
    path: '/systems/{id}/metrics',
    operationId: 'getSystemMetrics',
    summary: "A system's samples (CPU seconds, memory, disks, NICs) over the range, oldest first",
    calls: 'metrics.series',
    pathParams: { id: 'the system, name or UUID' },
    query: strictObject({
      range: Type.Optional(
        Type.String({
          pattern: '^[0-9]{1,6}[smhd]$',
          description: 'how far back: 90s, 15m, 1h (default), 2d',
        }),
      ),
    }),
    responses: {
      200: {
        description: 'The samples the ring buffer keeps for the range',
        schema: Type.Object({
          intervalMs: Type.Integer({ minimum: 0 }),
          items: Type.Array(SystemSampleSchema),
        }),
      },
    },
    handle: async ({ api, params, query }) => {
      const range = (query as { range?: string }).range;
      const id = params.id ?? '';
      const [items, now] = await Promise.all([
        api.metrics.series(id, range === undefined ? {} : { rangeSeconds: rangeSeconds(range) }),
        api.metrics.current(),
      ]);
      return { status: 200, body: { intervalMs: now.intervalMs, items: wire('metrics.series', items) } };
    },
  },
  {
    method: 'GET',
    path: '/systems/{id}/stats',
    operationId: 'getSystemStats',
    summary:
      "A running system's counters read from its driver now (cumulative since it started); a stopped one is 409",
    calls: 'systems.stats',
    pathParams: { id: 'the system, name or UUID' },
    responses: { 200: { description: 'The counters', schema: SystemStatsSchema } },
    handle: async ({ api, params }) => ({
      status: 200,
      body: wire('systems.stats', await api.systems.stats(params.id ?? '')),
    }),
  },
];
