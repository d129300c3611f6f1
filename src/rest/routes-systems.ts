import { Type } from '@sinclair/typebox';
import {
  type JobInfo,
  JobInfoSchema,
  type StateOperation,
  type SystemDetail,
  SystemDetailSchema,
  type SystemState,
  SystemSummarySchema,
  UndefineResultSchema,
  VirtualSystemDefinitionSchema,
  VssdPropertiesSchema,
} from '../api/index.js';
import type { VssdProperties } from '../model/index.js';
import { RestError } from './errors.js';
import { etagHeader, ifMatchOf, waitOf } from './request.js';
import { API_PREFIX, jobAnswer, type RestRoute, wire } from './route.js';
import {
  DEFAULT_PAGE,
  operationFor,
  operationsReaching,
  pageOf,
  StateRequestSchema,
  SystemListQuery,
  strictObject,
  type TargetState,
} from './schemas.js';

/** The virtual systems: list, define, get, destroy, their settings (VSSD) and their state. */

const ID = { id: 'the system, by name or UUID' };
const systemUrl = (ref: string) => `${API_PREFIX}/systems/${encodeURIComponent(ref)}`;
const jobOf = (result: Parameters<typeof JobInfoSchema>[0]) => JobInfoSchema(result);
const ACCEPTED = (result: Parameters<typeof JobInfoSchema>[0]) => ({
  description: 'The job runs on: see Location (Prefer: respond-async, or longer than Prefer: wait=N)',
  schema: jobOf(result),
  headers: ['Location'],
});

/** Routes of /systems and /systems/{id}[/settings|/state]. */
export const SYSTEM_ROUTES: readonly RestRoute[] = [
  {
    method: 'GET',
    path: '/systems',
    operationId: 'listSystems',
    summary: 'The systems, sorted by name, a page at a time',
    calls: 'systems.list',
    query: SystemListQuery,
    responses: {
      200: {
        description: 'A page of systems; `next` and `Link: rel="next"` when there is more',
        schema: pageOf(Type.Union([SystemDetailSchema, SystemSummarySchema])),
        headers: ['Link'],
      },
    },
    handle: async ({ api, query }) => {
      const q = query as { limit?: number; after?: string; state?: SystemState[]; detail?: boolean };
      const limit = q.limit ?? DEFAULT_PAGE;
      const list = await api.systems.list({
        limit: limit + 1,
        ...(q.after === undefined ? {} : { after: q.after }),
        ...(q.state === undefined ? {} : { states: q.state }),
        ...(q.detail === undefined ? {} : { detail: q.detail }),
      });
      const more = list.length > limit;
      const page = more ? list.slice(0, limit) : list;
      const body: { items: unknown; next?: string } = { items: wire('systems.list', page) };
      if (!more) return { status: 200, body };
      const next = page[page.length - 1]?.name ?? '';
      body.next = next;
      const params = new URLSearchParams({ limit: String(limit), after: next });
      for (const s of q.state ?? []) params.append('state', s);
      if (q.detail !== undefined) params.set('detail', String(q.detail));
      return { status: 200, body, headers: { Link: `<${API_PREFIX}/systems?${params}>; rel="next"` } };
    },
  },
  {
    method: 'POST',
    path: '/systems',
    operationId: 'defineSystem',
    summary: 'Defines a system from its VSSD and RASDs (DSP1042 DefineSystem)',
    calls: 'systems.define',
    body: VirtualSystemDefinitionSchema,
    requestHeaders: ['Prefer'],
    responses: {
      201: {
        description: 'Defined; Location names the system',
        schema: jobOf(SystemSummarySchema),
        headers: ['Location'],
      },
      202: ACCEPTED(SystemSummarySchema),
    },
    handle: async ({ api, body, headers }) =>
      jobAnswer(
        'systems.define',
        await api.systems.define(body as Parameters<typeof api.systems.define>[0], {
          waitMs: waitOf(headers),
        }),
        (job) => systemUrl((job as JobInfo<{ uuid: string }>).result?.uuid ?? ''),
      ),
  },
  {
    method: 'GET',
    path: '/systems/{id}',
    operationId: 'getSystem',
    summary: 'A system with its definition; ETag is its etag',
    calls: 'systems.get',
    pathParams: ID,
    responses: { 200: { description: 'The system', schema: SystemDetailSchema, headers: ['ETag'] } },
    handle: async ({ api, params }) => {
      const s = await api.systems.get(params.id ?? '');
      return { status: 200, body: wire('systems.get', s), headers: { ETag: etagHeader(s.etag) } };
    },
  },
  {
    method: 'DELETE',
    path: '/systems/{id}',
    operationId: 'destroySystem',
    summary: 'Undefines a system (DSP1042 DestroySystem); powerOff first when asked',
    calls: 'systems.undefine',
    pathParams: ID,
    query: strictObject({
      powerOff: Type.Optional(Type.Boolean()),
      keepDisks: Type.Optional(Type.Boolean()),
    }),
    requestHeaders: ['Prefer'],
    responses: {
      200: {
        description: 'Undefined (with the images kept by keepDisks)',
        schema: jobOf(UndefineResultSchema),
      },
      202: ACCEPTED(UndefineResultSchema),
    },
    handle: async ({ api, params, query, headers }) =>
      jobAnswer(
        'systems.undefine',
        await api.systems.undefine(params.id ?? '', { ...query, waitMs: waitOf(headers) }),
      ),
  },
  {
    method: 'GET',
    path: '/systems/{id}/settings',
    operationId: 'getSettings',
    summary: "A system's CIM_VirtualSystemSettingData properties; ETag is its etag",
    calls: 'systems.get',
    pathParams: ID,
    responses: { 200: { description: 'The VSSD', schema: VssdPropertiesSchema, headers: ['ETag'] } },
    handle: async ({ api, params }) => {
      const s = await api.systems.get(params.id ?? '');
      return { status: 200, body: s.definition.system, headers: { ETag: etagHeader(s.etag) } };
    },
  },
  {
    method: 'PUT',
    path: '/systems/{id}/settings',
    operationId: 'modifySettings',
    summary:
      'Sets the VSSD properties given (DSP1042 ModifySystemSettings); If-Match guards against a stale edit',
    calls: 'systems.modifySettings',
    pathParams: ID,
    body: VssdPropertiesSchema,
    requestHeaders: ['If-Match', 'Prefer'],
    responses: {
      200: {
        description: 'Changed; ETag is the new etag',
        schema: jobOf(SystemDetailSchema),
        headers: ['ETag'],
      },
      202: ACCEPTED(SystemDetailSchema),
    },
    handle: async ({ api, params, body, headers }) => {
      const ifMatch = ifMatchOf(headers);
      const job = await api.systems.modifySettings(params.id ?? '', body as VssdProperties, {
        waitMs: waitOf(headers),
        ...(ifMatch === undefined ? {} : { ifMatch }),
      });
      const a = jobAnswer('systems.modifySettings', job);
      const etag = (job as JobInfo<SystemDetail>).result?.etag;
      if (etag !== undefined) a.headers = { ...a.headers, ETag: etagHeader(etag) };
      return a;
    },
  },
  {
    method: 'POST',
    path: '/systems/{id}/state',
    operationId: 'changeState',
    summary:
      'Brings a system to a state: running, stopped (power off), shutdown (ask the guest), paused, ...',
    calls: 'systems.changeState',
    pathParams: ID,
    body: StateRequestSchema,
    requestHeaders: ['Prefer'],
    responses: {
      200: { description: 'Done', schema: jobOf(SystemSummarySchema) },
      202: ACCEPTED(SystemSummarySchema),
    },
    handle: async ({ api, params, body, headers }) => {
      const b = body as {
        state: TargetState;
        timeoutMs?: number;
        forceAfterTimeout?: boolean;
        operation?: StateOperation;
      };
      const id = params.id ?? '';
      if (b.operation !== undefined && !operationsReaching(b.state).includes(b.operation))
        throw new RestError(
          'REST_INVALID_BODY',
          `Operation ${b.operation} does not lead to state ${b.state}: ${operationsReaching(b.state).join(' or ')} does`,
        );
      // Only `running` depends on where the system is (start or resume).
      const from =
        b.operation === undefined && b.state === 'running' ? (await api.systems.get(id)).state : 'running';
      const { state: _, operation, ...options } = b;
      return jobAnswer(
        'systems.changeState',
        await api.systems.changeState(id, operation ?? operationFor(b.state, from), {
          ...options,
          waitMs: waitOf(headers),
        }),
      );
    },
  },
];
