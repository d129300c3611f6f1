import { Type } from '@sinclair/typebox';
import { SystemRefSchema } from './common.js';
import type { MethodSpec } from './method-spec.js';
import { MetricsSnapshotSchema, SeriesQuerySchema, SystemSampleSchema } from './metrics.js';
import { Strict } from './schema.js';

/** The METHODS entries of the metrics namespace: reads of the host's sampled ring buffers, for readers. */
export const METHODS_METRICS = {
  'metrics.current': { role: 'reader', args: [], params: Strict({}), result: MetricsSnapshotSchema },
  'metrics.series': {
    role: 'reader',
    args: ['ref', 'query'],
    params: Strict({ ref: SystemRefSchema, query: Type.Optional(SeriesQuerySchema) }),
    result: Type.Array(SystemSampleSchema),
  },
} as const satisfies Record<string, MethodSpec>;
