import type { TObject, TSchema } from '@sinclair/typebox';
import {
  AnyJobInfoSchema,
  ApiErrorInfoSchema,
  ApiEventSchema,
  CapabilitiesSchema,
  HostInfoSchema,
  ImageInfoSchema,
  METHODS,
  NetworkInfoSchema,
  OperationSchema,
  PoolInfoSchema,
  RasdPropertiesSchema,
  ResourceSettingSchema,
  StateOperationSchema,
  StateReasonSchema,
  SystemDetailSchema,
  SystemStateSchema,
  SystemSummarySchema,
  VirtualSystemDefinitionSchema,
  VssdPropertiesSchema,
} from '../api/index.js';
import { ProblemSchema } from './problem.js';
import { API_PREFIX, type RestResponseSpec, type RestRoute } from './route.js';
import { ROUTES } from './routes.js';

/**
 * The OpenAPI 3.1 document of the REST edge, generated from the route table and the Api's TypeBox schemas (JSON
 * Schema 2020-12 already): the contract checked in as src/rest/openapi.json, served at GET /api/v1/openapi.json, and
 * what the tests validate every response against. Schemas that recur are components, found by their JSON text.
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** The schemas the document names, in the order it lists them. */
const COMPONENTS: Readonly<Record<string, TSchema>> = {
  Problem: ProblemSchema,
  HostInfo: HostInfoSchema,
  Capabilities: CapabilitiesSchema,
  SystemSummary: SystemSummarySchema,
  SystemDetail: SystemDetailSchema,
  VirtualSystemDefinition: VirtualSystemDefinitionSchema,
  ResourceSetting: ResourceSettingSchema,
  VssdProperties: VssdPropertiesSchema,
  RasdProperties: RasdPropertiesSchema,
  Job: AnyJobInfoSchema,
  NetworkInfo: NetworkInfoSchema,
  PoolInfo: PoolInfoSchema,
  ImageInfo: ImageInfoSchema,
  ApiError: ApiErrorInfoSchema,
  ApiEvent: ApiEventSchema,
  ErrorCode: ProblemSchema.properties.code,
  Operation: OperationSchema,
  StateOperation: StateOperationSchema,
  SystemState: SystemStateSchema,
  StateReason: StateReasonSchema,
};

/** A TypeBox schema as plain JSON Schema: symbols dropped, TypeBox's `void` as "no value". */
function plain(schema: TSchema): Json {
  return JSON.parse(
    JSON.stringify(schema, (_k, v: unknown) =>
      v !== null && typeof v === 'object' && (v as { type?: unknown }).type === 'void'
        ? { not: {}, description: 'no value' }
        : v,
    ),
  ) as Json;
}

/** Replaces every subschema equal to a named component by a `$ref` to it (not `skip`, the component itself). */
function refs(node: Json, named: Map<string, string>, skip?: string): Json {
  if (node === null || typeof node !== 'object') return node;
  if (Array.isArray(node)) return node.map((n) => refs(n, named, skip));
  const name = named.get(JSON.stringify(node));
  if (name !== undefined && name !== skip) return { $ref: `#/components/schemas/${name}` };
  const out: { [k: string]: Json } = {};
  for (const [k, v] of Object.entries(node)) out[k] = refs(v, named, skip);
  return out;
}

const PROBLEM = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };
const HEADER_TEXT: Record<string, string> = {
  Location: 'Where the created resource, or the running job, is',
  ETag: "The entity tag: a system definition's etag or its metadata's (send it back in If-Match), a download's (If-Range, If-None-Match)",
  Link: 'RFC 8288 link to the next page (rel="next")',
  'Content-Range': 'The range sent, and the whole size (bytes FIRST-LAST/SIZE)',
  'Content-Disposition': 'attachment, with the file name to save it as',
  'Set-Cookie':
    'The session cookie (vessel_session; HttpOnly, SameSite=Strict, Secure over TLS), or its removal',
};

const REQUEST_HEADER_TEXT: Record<string, string> = {
  Range:
    'One byte range (bytes=FIRST-[LAST] or bytes=-SUFFIX, RFC 9110 §14.2): answered 206, or 416 past the end',
  'If-Range': 'The ETag the partial copy was read from: the range is sent only while it is current',
  'X-Content-SHA256':
    "The upload's SHA-256, 64 hex digits: refused (400, nothing kept) when the bytes differ",
  'Repr-Digest': "The upload's digest as RFC 9530 says it (sha-256=:BASE64:): checked as X-Content-SHA256",
  Digest: "The upload's digest as RFC 3230 says it (SHA-256=BASE64): checked as X-Content-SHA256",
};

function parameters(r: RestRoute, schema: (s: TSchema) => Json): Json[] {
  const out: Json[] = [];
  for (const [name, description] of Object.entries(r.pathParams ?? {}))
    out.push({ name, in: 'path', required: true, description, schema: { type: 'string', minLength: 1 } });
  const q = r.query as TObject | undefined;
  for (const [name, s] of Object.entries(q?.properties ?? {}))
    out.push({
      name,
      in: 'query',
      required: (q?.required ?? []).includes(name),
      ...((s as TSchema).type === 'array' ? { style: 'form', explode: true } : {}),
      schema: schema(s as TSchema),
    });
  const headers = [...(r.requestHeaders ?? [])] as string[];
  if (r.method === 'GET' && r.responses[200]?.headers?.includes('ETag')) headers.push('If-None-Match');
  for (const h of headers)
    out.push({
      name: h,
      in: 'header',
      required: false,
      description:
        h === 'If-Match'
          ? 'The ETag the change was made from; a stale one is 412'
          : h === 'If-None-Match'
            ? 'ETags the client has: 304 when one is current'
            : h === 'Last-Event-ID'
              ? 'The id of the last event the client has (an EventSource sends it when it reconnects)'
              : (REQUEST_HEADER_TEXT[h] ??
                'respond-async (answer 202 at once) or wait=SECONDS (RFC 7240); default wait=10'),
      schema: { type: 'string' },
    });
  return out;
}

/** A response's content: JSON by its schema; an event stream as text whose items' data the schema describes. */
function content(
  status: number,
  spec: RestResponseSpec,
  schema: (s: TSchema) => Json,
): { [k: string]: Json } {
  if ((spec.binary === true || spec.schema === undefined) && spec.mediaType !== undefined)
    return {
      content: { [spec.mediaType]: { schema: { type: 'string', contentMediaType: spec.mediaType } } },
    };
  if (spec.schema === undefined) return status >= 400 ? { content: PROBLEM } : {};
  if (spec.mediaType === undefined)
    return { content: { 'application/json': { schema: schema(spec.schema) } } };
  return {
    content: {
      [spec.mediaType]: {
        schema: { type: 'string', description: 'Server-Sent Events (HTML Living Standard §9.2)' },
        'x-vessel-item-data': schema(spec.schema),
      },
    },
  };
}

/** The request body: JSON by its schema, and the media types an upload route streams. */
function requestBody(r: RestRoute, schema: (s: TSchema) => Json): { [k: string]: Json } {
  const content: { [k: string]: Json } = {};
  if (r.body !== undefined) content['application/json'] = { schema: schema(r.body) };
  for (const m of r.upload?.mediaTypes ?? [])
    content[m] = { schema: { type: 'string', contentMediaType: m } };
  if (Object.keys(content).length === 0) return {};
  return {
    requestBody: {
      required: true,
      ...(r.upload === undefined ? {} : { description: r.upload.description }),
      content,
    },
  };
}

function operation(r: RestRoute, schema: (s: TSchema) => Json): Json {
  const role = r.calls === undefined ? 'reader' : METHODS[r.calls].role;
  const responses: { [k: string]: Json } = {};
  for (const [status, spec] of Object.entries(r.responses)) {
    const headers: { [k: string]: Json } = {};
    for (const h of spec.headers ?? [])
      headers[h] = { description: HEADER_TEXT[h] ?? h, schema: { type: 'string' } };
    responses[status] = {
      description: spec.description,
      ...(spec.headers === undefined ? {} : { headers }),
      ...content(Number(status), spec, schema),
    };
  }
  if (r.method === 'GET' && r.responses[200]?.headers?.includes('ETag'))
    responses['304'] = {
      description: 'Not modified: If-None-Match names the current ETag',
      headers: { ETag: { description: HEADER_TEXT.ETag ?? 'ETag', schema: { type: 'string' } } },
    };
  responses['401'] = { $ref: '#/components/responses/Unauthorized' };
  responses.default = { $ref: '#/components/responses/Problem' };
  return {
    operationId: r.operationId,
    summary: r.summary,
    description:
      r.calls === undefined
        ? "The caller's own browser session: any user."
        : `Calls the Api's ${r.calls}, which needs the ${role} role.`,
    ...(r.calls === undefined ? {} : { 'x-vessel-method': r.calls }),
    'x-vessel-role': role,
    parameters: parameters(r, schema),
    ...requestBody(r, schema),
    responses,
  };
}

/**
 * The OpenAPI 3.1 document of `routes` (by default every route).
 *
 * @example
 * const doc = buildOpenApi();
 * doc.paths['/systems/{id}'].get.operationId; // 'getSystem'
 */
export function buildOpenApi(routes: readonly RestRoute[] = ROUTES): { [k: string]: Json } {
  const named = new Map<string, string>();
  for (const [name, s] of Object.entries(COMPONENTS)) named.set(JSON.stringify(plain(s)), name);
  const schema = (s: TSchema) => refs(plain(s), named);
  const paths: { [k: string]: { [k: string]: Json } } = {};
  for (const r of routes) {
    const p = paths[r.path] ?? {};
    p[r.method.toLowerCase()] = operation(r, schema);
    paths[r.path] = p;
  }
  paths['/openapi.json'] = {
    get: {
      operationId: 'getOpenApi',
      summary: 'This document',
      responses: {
        200: { description: 'The OpenAPI 3.1 document', content: { 'application/json': {} } },
        401: { $ref: '#/components/responses/Unauthorized' },
      },
    },
  };
  // Prometheus scrapes /metrics beside the API, hence its own server (OpenAPI 3.1 §4.8.9, Path Item `servers`).
  paths['/metrics'] = {
    servers: [{ url: '/' }],
    get: {
      operationId: 'getPrometheusMetrics',
      summary:
        'The metrics of the host and its systems in the Prometheus text format (version 0.0.4), from the ' +
        "host's sampler (vessel_vm_*, vessel_host_*); any role may read them",
      'x-vessel-method': 'metrics.current',
      'x-vessel-role': METHODS['metrics.current'].role,
      responses: {
        200: {
          description: 'The exposition',
          content: { 'text/plain; version=0.0.4; charset=utf-8': { schema: { type: 'string' } } },
        },
        401: { $ref: '#/components/responses/Unauthorized' },
        default: { $ref: '#/components/responses/Problem' },
      },
    },
  };
  const schemas: { [k: string]: Json } = {};
  for (const [name, s] of Object.entries(COMPONENTS)) schemas[name] = refs(plain(s), named, name);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Vessel REST API',
      version: '1',
      description:
        "The host's Api over HTTP: JSON bodies are the Api's types (the model's VSSD and RASD properties by their DMTF " +
        'names), every change is a job (CIM_ConcreteJob), errors are RFC 9457 problem details with the Api error code.',
    },
    servers: [{ url: API_PREFIX }],
    security: [{ basic: [] }, { bearer: [] }, { session: [] }],
    paths,
    components: {
      securitySchemes: {
        basic: { type: 'http', scheme: 'basic' },
        bearer: { type: 'http', scheme: 'bearer', description: 'A token of `vessel token create` (vsl_...)' },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'vessel_session',
          description:
            "The cookie of POST /session; every request other than GET and HEAD must also carry the session's X-CSRF-Token header",
        },
      },
      schemas,
      responses: {
        Problem: { description: 'RFC 9457 problem details', content: PROBLEM },
        Unauthorized: {
          description: 'No credentials, or wrong ones (WWW-Authenticate: Basic)',
          headers: { 'WWW-Authenticate': { schema: { type: 'string' } } },
          content: PROBLEM,
        },
      },
    },
  };
}
