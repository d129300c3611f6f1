import { Type } from '@sinclair/typebox';
import {
  ApiError,
  type DeployOptions,
  DeployOptionsSchema,
  DeployPlanViewSchema,
  DeployResultSchema,
  type ExportOptions,
  ExportOptionsSchema,
  ExportResultSchema,
  ImageName,
  JobInfoSchema,
  type PackageSource,
  PoolName,
} from '../api/index.js';
import { RestError } from './errors.js';
import { waitOf } from './request.js';
import { jobAnswer, type RestRequest, type RestRoute, wire } from './route.js';
import { literals, strictObject } from './schemas.js';

/**
 * Packages in and out: POST /deployments (an OVA or OVF streamed in the body with its options in the query, or a
 * JSON body naming a pool image; `?dryRun=true` answers what `deploy --dry-run` shows) and POST
 * /systems/{id}/export (a job whose result names the artifact to download, see routes-artifacts.ts). Both answer
 * 202 with the job's Location unless `Prefer: wait=N` asks to wait.
 */

/** Media types a package is streamed in: an OVA (a tar archive) or a lone OVF descriptor. */
export const PACKAGE_MEDIA_TYPES = ['application/x-tar', 'application/ovf+xml'] as const;

const KEY_VALUE = Type.String({ maxLength: 65_536, pattern: '^[^=]{1,256}=' });
const { waitMs: _w, ...deployProps } = DeployOptionsSchema.properties;

/** A deployment's options in the query, for a package streamed in the body. */
export const DeployQuery = strictObject({
  dryRun: Type.Optional(literals(['true', 'false', '1', '0'] as const)),
  fileName: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  name: deployProps.name,
  configuration: deployProps.configuration,
  /** `KEY=VALUE`, once per property (`--prop`). */
  property: Type.Optional(Type.Array(KEY_VALUE, { maxItems: 1024 })),
  /** `OVFNET=HOSTNET`, once per network (`--net`). */
  network: Type.Optional(Type.Array(KEY_VALUE, { maxItems: 256 })),
  powerOn: deployProps.powerOn,
  acceptEula: deployProps.acceptEula,
  lax: deployProps.lax,
  requireSignature: deployProps.requireSignature,
  caPem: deployProps.caPem,
  pool: deployProps.pool,
});

/** The JSON body of a deployment from a pool image. */
export const DeploymentBodySchema = strictObject({
  source: strictObject({ kind: Type.Literal('pool'), pool: PoolName, image: ImageName }),
  options: Type.Optional(strictObject(deployProps)),
});

/** POST /systems/{id}/export's body: ExportOptions, the destination an artifact and the format an OVA by default. */
const { waitMs: _e, destination, format, ...exportProps } = ExportOptionsSchema.properties;
export const ExportBodySchema = strictObject({
  ...exportProps,
  destination: Type.Optional(destination),
  format: Type.Optional(format),
});

type DeployQueryValue = { [K in keyof typeof DeployQuery.properties]?: unknown } & {
  dryRun?: string;
  fileName?: string;
  property?: string[];
  network?: string[];
};

/** `KEY=VALUE` items as a record; a key given twice is refused. */
function pairs(items: readonly string[] | undefined, what: string): Record<string, string> | undefined {
  if (items === undefined) return undefined;
  const out: Record<string, string> = Object.create(null);
  for (const item of items) {
    const eq = item.indexOf('=');
    const key = item.slice(0, eq);
    if (Object.hasOwn(out, key) || key === '__proto__')
      throw new RestError(
        'REST_INVALID_QUERY',
        `Query parameter "${what}" names "${key.slice(0, 64)}" twice`,
      );
    out[key] = item.slice(eq + 1);
  }
  return { ...out };
}

const DEFAULT_FILE = { 'application/x-tar': 'upload.ova', 'application/ovf+xml': 'upload.ovf' } as const;

/** The package and options of a deployment request (streamed, or the JSON body). */
function deploymentOf(r: RestRequest): { source: PackageSource; options: DeployOptions; dryRun: boolean } {
  const q = r.query as DeployQueryValue;
  const dryRun = q.dryRun === 'true' || q.dryRun === '1';
  if (r.upload === undefined) {
    const { dryRun: _d, ...rest } = q;
    if (Object.keys(rest).length > 0)
      throw new RestError(
        'REST_INVALID_QUERY',
        `A deployment from a pool image takes its options in the JSON body, not the query (${Object.keys(rest).join(', ')})`,
      );
    const b = r.body as { source: { pool: string; image: string }; options?: DeployOptions };
    return {
      source: { kind: 'pool', pool: b.source.pool, image: b.source.image },
      options: b.options ?? {},
      dryRun,
    };
  }
  const { dryRun: _d, fileName, property, network, ...rest } = q;
  const media = r.upload.mediaType as keyof typeof DEFAULT_FILE;
  const name = fileName ?? DEFAULT_FILE[media];
  const ext = media === 'application/x-tar' ? '.ova' : '.ovf';
  if (!name.toLowerCase().endsWith(ext))
    throw new RestError(
      'REST_INVALID_QUERY',
      `fileName "${name.slice(0, 64)}" must end with ${ext} for ${media}`,
    );
  const properties = pairs(property, 'property');
  const networks = pairs(network, 'network');
  return {
    source: {
      kind: 'upload',
      fileName: name,
      body: r.upload.bytes,
      ...(r.upload.sizeBytes === undefined ? {} : { sizeBytes: r.upload.sizeBytes }),
    },
    options: {
      ...(rest as DeployOptions),
      ...(properties === undefined ? {} : { properties }),
      ...(networks === undefined ? {} : { networks }),
    },
    dryRun,
  };
}

/** How long a deployment or export request waits for its job: not at all unless `Prefer` asks (202 at once). */
function waitAsked(headers: RestRequest['headers']): number {
  return headers.prefer === undefined ? 0 : waitOf(headers);
}

const ACCEPTED = (result: Parameters<typeof JobInfoSchema>[0]) => ({
  description: 'The job runs on: see Location (the default; Prefer: wait=N waits up to N seconds)',
  schema: JobInfoSchema(result),
  headers: ['Location'],
});

/** Routes of /deployments and /systems/{id}/export. */
export const PACKAGE_ROUTES: readonly RestRoute[] = [
  {
    method: 'POST',
    path: '/deployments',
    operationId: 'deploy',
    summary:
      'Deploys an OVF package: an OVA (application/x-tar) or an OVF descriptor (application/ovf+xml) streamed in ' +
      'the body with the options in the query, or a JSON body naming a pool image; ?dryRun=true answers the plan',
    calls: 'packages.deploy',
    query: DeployQuery,
    body: DeploymentBodySchema,
    upload: {
      mediaTypes: PACKAGE_MEDIA_TYPES,
      description:
        'The package (an OVA, or an OVF without files) with its options in the query; or application/json naming a ' +
        'pool image, with the options in the body',
      alsoJson: true,
    },
    requestHeaders: ['Prefer'],
    responses: {
      200: {
        description: 'Deployed within Prefer: wait; with dryRun, what the deploy would do (packages.inspect)',
        schema: Type.Union([JobInfoSchema(DeployResultSchema), DeployPlanViewSchema]),
      },
      202: ACCEPTED(DeployResultSchema),
    },
    handle: async (r) => {
      const { source, options, dryRun } = deploymentOf(r);
      if (dryRun) {
        const { powerOn: _p, ...asked } = options;
        return { status: 200, body: wire('packages.inspect', await r.api.packages.inspect(source, asked)) };
      }
      return jobAnswer(
        'packages.deploy',
        await r.api.packages.deploy(source, { ...options, waitMs: waitAsked(r.headers) }),
      );
    },
  },
  {
    method: 'POST',
    path: '/systems/{id}/export',
    operationId: 'exportSystem',
    summary:
      'Exports a stopped system as an OVA: a job whose result names the artifact to download ' +
      '(GET /artifacts/{id}/content), or writes it into a pool',
    calls: 'packages.export',
    pathParams: { id: 'the system, by name or UUID' },
    body: ExportBodySchema,
    requestHeaders: ['Prefer'],
    responses: {
      200: { description: 'Exported within Prefer: wait', schema: JobInfoSchema(ExportResultSchema) },
      202: ACCEPTED(ExportResultSchema),
    },
    handle: async ({ api, params, body, headers }) => {
      const b = body as Partial<ExportOptions>;
      const options: ExportOptions = {
        ...b,
        destination: b.destination ?? { kind: 'artifact' },
        format: b.format ?? 'ova',
        waitMs: waitAsked(headers),
      };
      if (options.format === 'ovf' && options.destination.kind !== 'hostPath')
        throw new ApiError(
          'INVALID_ARGUMENT',
          'An OVF export (a folder of files) needs a host path; ask for an OVA',
        );
      return jobAnswer('packages.export', await api.packages.export(params.id ?? '', options));
    },
  },
];
