import type { TSchema } from '@sinclair/typebox';
import { type Operation, STATE_OPERATIONS } from './operations.js';
import { DeployResultSchema, ExportResultSchema } from './packages.js';
import { SystemSummarySchema } from './systems-data.js';

/**
 * The result of a job by its operation, for the methods that answer any job (`jobs.get`, `jobs.wait`,
 * `jobs.cancel`, `jobs.list`): their schema cannot say it, so the wire encodes and decodes a job's result with
 * this table, and sizes cross as they do in the method that started the job (decimal strings on the wire,
 * bigints in the Api). Operations not listed carry their result as it is.
 */
export const JOB_RESULTS: Readonly<Partial<Record<Operation, TSchema>>> = {
  define: SystemSummarySchema,
  deploy: DeployResultSchema,
  export: ExportResultSchema,
  ...Object.fromEntries(STATE_OPERATIONS.map((op) => [op, SystemSummarySchema])),
};

/** The methods whose result is a job or a list of jobs of any operation. */
export const ANY_JOB_METHODS: ReadonlySet<string> = new Set([
  'jobs.get',
  'jobs.wait',
  'jobs.cancel',
  'jobs.list',
]);

/**
 * A `jobs.*` answer with each completed job's result passed through `f` with its operation's schema.
 *
 * @example
 * mapJobResults('jobs.get', job, (schema, r) => Value.Encode(schema, r));
 */
export function mapJobResults(
  method: string,
  value: unknown,
  f: (schema: TSchema, result: unknown) => unknown,
): unknown {
  if (!ANY_JOB_METHODS.has(method)) return value;
  const one = (job: unknown): unknown => {
    if (typeof job !== 'object' || job === null) return job;
    const j = job as { operation?: unknown; result?: unknown; state?: unknown };
    const schema = typeof j.operation === 'string' ? JOB_RESULTS[j.operation as Operation] : undefined;
    if (schema === undefined || j.result === undefined || j.state !== 'completed') return job;
    return { ...j, result: f(schema, j.result) };
  };
  return Array.isArray(value) ? value.map(one) : one(value);
}
