import { Type } from '@sinclair/typebox';
import { AnyJobInfoSchema, JOB_STATES, type JobState } from '../api/index.js';
import { MAX_WAIT_S } from './request.js';
import { type RestRoute, wire } from './route.js';
import { literals, strictObject } from './schemas.js';

/** The jobs (CIM_ConcreteJob's fields): list, get (and wait for), cancel, delete. */

const ID = { id: 'the job' };

/** Routes of /jobs[/{id}[/cancel]]. */
export const JOB_ROUTES: readonly RestRoute[] = [
  {
    method: 'GET',
    path: '/jobs',
    operationId: 'listJobs',
    summary: 'The jobs, newest first',
    calls: 'jobs.list',
    query: strictObject({
      state: Type.Optional(Type.Array(literals(JOB_STATES), { maxItems: JOB_STATES.length })),
      target: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
    }),
    responses: { 200: { description: 'Jobs', schema: Type.Object({ items: Type.Array(AnyJobInfoSchema) }) } },
    handle: async ({ api, query }) => {
      const q = query as { state?: JobState[]; target?: string; limit?: number };
      const jobs = await api.jobs.list({
        ...(q.state === undefined ? {} : { states: q.state }),
        ...(q.target === undefined ? {} : { target: q.target }),
        ...(q.limit === undefined ? {} : { limit: q.limit }),
      });
      return { status: 200, body: { items: wire('jobs.list', jobs) } };
    },
  },
  {
    method: 'GET',
    path: '/jobs/{id}',
    operationId: 'getJob',
    summary: 'A job; with ?wait=SECONDS, once it has ended or after that long',
    calls: 'jobs.get',
    pathParams: ID,
    query: strictObject({ wait: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_WAIT_S })) }),
    responses: { 200: { description: 'The job', schema: AnyJobInfoSchema } },
    handle: async ({ api, params, query }) => {
      const wait = (query as { wait?: number }).wait;
      const id = params.id ?? '';
      const job =
        wait === undefined || wait === 0
          ? await api.jobs.get(id)
          : await api.jobs.wait(id, { timeoutMs: wait * 1000 });
      return { status: 200, body: wire('jobs.get', job) };
    },
  },
  {
    method: 'POST',
    path: '/jobs/{id}/cancel',
    operationId: 'cancelJob',
    summary: 'Asks a running job to stop; an ended job is answered as it is',
    calls: 'jobs.cancel',
    pathParams: ID,
    responses: { 200: { description: 'The job', schema: AnyJobInfoSchema } },
    handle: async ({ api, params }) => ({
      status: 200,
      body: wire('jobs.cancel', await api.jobs.cancel(params.id ?? '')),
    }),
  },
  {
    method: 'DELETE',
    path: '/jobs/{id}',
    operationId: 'deleteJob',
    summary: 'Forgets an ended job',
    calls: 'jobs.delete',
    pathParams: ID,
    responses: { 204: { description: 'Forgotten' } },
    handle: async ({ api, params }) => {
      await api.jobs.delete(params.id ?? '');
      return { status: 204 };
    },
  },
];
