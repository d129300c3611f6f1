import { Type } from '@sinclair/typebox';
import {
  ApiError,
  type EditOptions,
  JobInfoSchema,
  RasdPropertiesSchema,
  type ResourceChange,
  ResourceChangeSchema,
  ResourceResultSchema,
  ResourceSettingSchema,
} from '../api/index.js';
import type { RasdProperties, ResourceSetting } from '../model/index.js';
import { etagHeader, ifMatchOf, waitOf } from './request.js';
import type { RestRequest, RestRoute } from './route.js';
import { API_PREFIX, jobAnswer } from './route.js';
import { strictObject } from './schemas.js';

/** A system's resources (RASDs, by InstanceID): list, add, get, modify, remove (DSP1042 *ResourceSettings). */

const PARAMS = { id: 'the system, by name or UUID', rid: "the resource's InstanceID" };
const MAX_ADD = 4096;
const JOB = JobInfoSchema(ResourceResultSchema);
const ACCEPTED = {
  description: 'The job runs on: see Location',
  schema: JOB,
  headers: ['Location'],
} as const;
const resourceUrl = (id: string, rid: string) =>
  `${API_PREFIX}/systems/${encodeURIComponent(id)}/resources/${encodeURIComponent(rid)}`;

function editOptions(r: RestRequest): EditOptions {
  const ifMatch = ifMatchOf(r.headers);
  return { waitMs: waitOf(r.headers), ...(ifMatch === undefined ? {} : { ifMatch }) };
}

/** Routes of /systems/{id}/resources[/{rid}]. */
export const RESOURCE_ROUTES: readonly RestRoute[] = [
  {
    method: 'GET',
    path: '/systems/{id}/resources',
    operationId: 'listResources',
    summary: "A system's resources (RASD, SASD, EPASD) with their DMTF properties; ETag is the system's",
    calls: 'systems.get',
    pathParams: { id: PARAMS.id },
    responses: {
      200: {
        description: 'Every resource',
        schema: Type.Object({ items: Type.Array(ResourceSettingSchema) }),
        headers: ['ETag'],
      },
    },
    handle: async ({ api, params }) => {
      const s = await api.systems.get(params.id ?? '');
      return { status: 200, body: { items: s.definition.resources }, headers: { ETag: etagHeader(s.etag) } };
    },
  },
  {
    method: 'POST',
    path: '/systems/{id}/resources',
    operationId: 'addResources',
    summary: 'Adds resources, all or none (DSP1042 AddResourceSettings); Location names the first',
    calls: 'systems.addResources',
    pathParams: { id: PARAMS.id },
    body: Type.Array(ResourceSettingSchema, { minItems: 1, maxItems: MAX_ADD }),
    requestHeaders: ['If-Match', 'Prefer'],
    responses: {
      201: { description: 'Added', schema: JOB, headers: ['Location'] },
      202: ACCEPTED,
    },
    handle: async (r) => {
      const id = r.params.id ?? '';
      const job = await r.api.systems.addResources(id, r.body as ResourceSetting[], editOptions(r));
      return jobAnswer('systems.addResources', job, (j) =>
        resourceUrl(id, (j.result as { instanceIds: string[] } | undefined)?.instanceIds[0] ?? ''),
      );
    },
  },
  {
    method: 'GET',
    path: '/systems/{id}/resources/{rid}',
    operationId: 'getResource',
    summary: 'One resource by InstanceID',
    calls: 'systems.get',
    pathParams: PARAMS,
    responses: { 200: { description: 'The resource', schema: ResourceSettingSchema, headers: ['ETag'] } },
    handle: async ({ api, params }) => {
      const s = await api.systems.get(params.id ?? '');
      const found = s.definition.resources.find((x) => x.properties.InstanceID === params.rid);
      if (found === undefined)
        throw new ApiError('NOT_FOUND', `"${s.name}" has no resource with InstanceID "${params.rid}"`);
      return { status: 200, body: found, headers: { ETag: etagHeader(s.etag) } };
    },
  },
  {
    method: 'PUT',
    path: '/systems/{id}/resources/{rid}',
    operationId: 'modifyResource',
    summary: 'Sets the properties given of one resource (DSP1042 ModifyResourceSettings)',
    calls: 'systems.modifyResources',
    pathParams: PARAMS,
    body: RasdPropertiesSchema,
    requestHeaders: ['If-Match', 'Prefer'],
    responses: { 200: { description: 'Changed', schema: JOB }, 202: ACCEPTED },
    handle: async (r) =>
      jobAnswer(
        'systems.modifyResources',
        await r.api.systems.modifyResources(
          r.params.id ?? '',
          [{ instanceId: r.params.rid ?? '', properties: r.body as RasdProperties }],
          editOptions(r),
        ),
      ),
  },
  {
    method: 'DELETE',
    path: '/systems/{id}/resources/{rid}',
    operationId: 'removeResource',
    summary: 'Removes one resource (DSP1042 RemoveResourceSettings)',
    calls: 'systems.removeResources',
    pathParams: PARAMS,
    requestHeaders: ['If-Match', 'Prefer'],
    responses: { 200: { description: 'Removed', schema: JOB }, 202: ACCEPTED },
    handle: async (r) =>
      jobAnswer(
        'systems.removeResources',
        await r.api.systems.removeResources(r.params.id ?? '', [r.params.rid ?? ''], editOptions(r)),
      ),
  },
  {
    method: 'PATCH',
    path: '/systems/{id}/resources',
    operationId: 'modifyResources',
    summary: 'Sets properties of several resources at once, all or none (DSP1042 ModifyResourceSettings)',
    calls: 'systems.modifyResources',
    pathParams: { id: PARAMS.id },
    body: Type.Array(ResourceChangeSchema, { minItems: 1, maxItems: MAX_ADD }),
    requestHeaders: ['If-Match', 'Prefer'],
    responses: { 200: { description: 'Changed', schema: JOB }, 202: ACCEPTED },
    handle: async (r) =>
      jobAnswer(
        'systems.modifyResources',
        await r.api.systems.modifyResources(r.params.id ?? '', r.body as ResourceChange[], editOptions(r)),
      ),
  },
  {
    method: 'DELETE',
    path: '/systems/{id}/resources',
    operationId: 'removeResources',
    summary: 'Removes the resources named by ?instanceId=, all or none (DSP1042 RemoveResourceSettings)',
    calls: 'systems.removeResources',
    pathParams: { id: PARAMS.id },
    query: strictObject({
      instanceId: Type.Array(Type.String({ minLength: 1, maxLength: 256 }), {
        minItems: 1,
        maxItems: MAX_ADD,
      }),
    }),
    requestHeaders: ['If-Match', 'Prefer'],
    responses: { 200: { description: 'Removed', schema: JOB }, 202: ACCEPTED },
    handle: async (r) =>
      jobAnswer(
        'systems.removeResources',
        await r.api.systems.removeResources(
          r.params.id ?? '',
          (r.query as { instanceId: string[] }).instanceId,
          editOptions(r),
        ),
      ),
  },
];
