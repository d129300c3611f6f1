import { type StaticDecode, Type } from '@sinclair/typebox';
import type { ByteStream, SystemRef } from './common.js';
import { JobOptionsSchema } from './common.js';
import type { JobInfo } from './jobs.js';
import { VirtualSystemDefinitionSchema } from './model-schemas.js';
import { ImageName, PoolName } from './pools.js';
import { oneOf, Strict, Uint64 } from './schema.js';

/**
 * OVF packages in and out of a host: inspect (`deploy --dry-run`), deploy, export. A package comes as an upload
 * (any transport that streams), from a storage pool, or from a host path (a local principal only); an export goes
 * to an artifact to download, a pool, or a host path (local only).
 */

const PoolImage = { pool: PoolName, image: ImageName };
const HostPath = Type.String({ minLength: 1, maxLength: 4096, pattern: '^/' });

/** Wire schema of a {@link PackageSource}: an upload's bytes follow on a stream of their own. */
export const PackageSourceSchema = Type.Union([
  Strict({
    kind: Type.Literal('upload'),
    fileName: Type.String({ minLength: 1, maxLength: 255 }),
    sizeBytes: Type.Optional(Uint64),
  }),
  Strict({ kind: Type.Literal('pool'), ...PoolImage }),
  Strict({ kind: Type.Literal('hostPath'), path: HostPath }),
]);

type PackageSourceWire = StaticDecode<typeof PackageSourceSchema>;

/**
 * Where a package comes from. `hostPath` is accepted only from a local principal.
 *
 * @example
 * const source: PackageSource = { kind: 'upload', fileName: 'web.ova', body: createReadStream('web.ova') };
 */
export type PackageSource =
  | Exclude<PackageSourceWire, { kind: 'upload' }>
  | (Extract<PackageSourceWire, { kind: 'upload' }> & { body: ByteStream });

/** Wire schema of {@link DeployOptions}. */
export const DeployOptionsSchema = Strict({
  ...JobOptionsSchema.properties,
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  /** The deployment option (DeploymentOptionSection Configuration ovf:id). */
  configuration: Type.Optional(Type.String({ maxLength: 256 })),
  /** Property values by environment key (`--prop KEY=VALUE`). */
  properties: Type.Optional(Type.Record(Type.String({ maxLength: 256 }), Type.String({ maxLength: 65_536 }))),
  /** Package network name -> host network name (`--net OVFNET=HOSTNET`). */
  networks: Type.Optional(Type.Record(Type.String({ maxLength: 256 }), Type.String({ maxLength: 256 }))),
  powerOn: Type.Optional(Type.Boolean()),
  acceptEula: Type.Optional(Type.Boolean()),
  /** Relax conformance checks and leave out hardware that cannot be mapped. */
  lax: Type.Optional(Type.Boolean()),
  requireSignature: Type.Optional(Type.Boolean()),
  /** PEM text of the CA certificates the signer must chain to. */
  caPem: Type.Optional(Type.String({ maxLength: 1_048_576 })),
  /** The storage pool for the disks (default: the default pool). */
  pool: Type.Optional(PoolName),
});

/** How a package is deployed. */
export type DeployOptions = StaticDecode<typeof DeployOptionsSchema>;

/** Wire schema of {@link DeployPlanView}. */
export const DeployPlanViewSchema = Type.Object({
  configuration: Type.Optional(Type.String()),
  systems: Type.Array(
    Type.Object({
      systemId: Type.String(),
      name: Type.String(),
      /** The definition as this host would register it (mapped hardware). */
      definition: VirtualSystemDefinitionSchema,
      /** What the mapping changed or left out, one line each. */
      notes: Type.Array(Type.String()),
      /** The disks the deploy would write into the system's folder (a drive's HostResource ends with `fileName`). */
      disks: Type.Array(
        Type.Object({
          diskId: Type.String(),
          capacityBytes: Uint64,
          fileName: Type.String(),
          /** A blank disk (no file in the package): created empty. */
          blank: Type.Boolean(),
        }),
      ),
    }),
  ),
  properties: Type.Array(
    Type.Object({
      key: Type.String(),
      type: Type.String(),
      label: Type.Optional(Type.String()),
      defaultValue: Type.Optional(Type.String()),
      userConfigurable: Type.Boolean(),
      password: Type.Boolean(),
      /** User-configurable with no value for the deployment option: a deploy must be given one. */
      required: Type.Boolean(),
    }),
  ),
  eulas: Type.Array(Type.String()),
  networks: Type.Array(Type.Object({ name: Type.String(), description: Type.Optional(Type.String()) })),
  configurations: Type.Array(
    Type.Object({ id: Type.String(), label: Type.Optional(Type.String()), isDefault: Type.Boolean() }),
  ),
  warnings: Type.Array(Type.String()),
});

/** What a deploy would do (`deploy --dry-run`, issue 11): hardware, properties, EULAs, networks, options. */
export type DeployPlanView = StaticDecode<typeof DeployPlanViewSchema>;

/** Wire schema of {@link DeployResult}. */
export const DeployResultSchema = Type.Object({
  configuration: Type.Optional(Type.String()),
  systems: Type.Array(
    Type.Object({
      systemId: Type.String(),
      name: Type.String(),
      uuid: Type.String(),
      notes: Type.Array(Type.String()),
    }),
  ),
  /** Systems powered on, in the order they were started (UUIDs). */
  started: Type.Array(Type.String()),
  warnings: Type.Array(Type.String()),
  manifest: Type.Boolean(),
  /** Whether the package was signed, and by whom when it was. */
  signature: Type.Optional(Type.Object({ signer: Type.String(), trusted: Type.Boolean() })),
});

/** What a deploy did. */
export type DeployResult = StaticDecode<typeof DeployResultSchema>;

/** Wire schema of an {@link ExportDestination}. */
export const ExportDestinationSchema = Type.Union([
  Strict({ kind: Type.Literal('artifact') }),
  Strict({ kind: Type.Literal('pool'), ...PoolImage }),
  Strict({ kind: Type.Literal('hostPath'), path: HostPath, overwrite: Type.Optional(Type.Boolean()) }),
]);

/** Where an export goes: an artifact to download, a pool, or a host path (local principal only). */
export type ExportDestination = StaticDecode<typeof ExportDestinationSchema>;

/** Wire schema of {@link ExportOptions}. */
export const ExportOptionsSchema = Strict({
  ...JobOptionsSchema.properties,
  destination: ExportDestinationSchema,
  /** `ovf` needs a host path; an artifact is always an OVA. */
  format: oneOf(['ova', 'ovf'] as const),
  ovfVersion: Type.Optional(oneOf(['1.0', '2.0'] as const)),
  target: Type.Optional(oneOf(['generic', 'vmware', 'virtualbox'] as const)),
  manifest: Type.Optional(oneOf(['sha1', 'sha256', 'sha512', 'none'] as const)),
  signer: Type.Optional(
    Strict({
      keyPem: Type.String({ maxLength: 65_536 }),
      certPem: Type.Optional(Type.String({ maxLength: 1_048_576 })),
    }),
  ),
  /** Keep the NICs' MAC addresses (left out by default, so that copies get their own). */
  keepMacs: Type.Optional(Type.Boolean()),
  /** zlib level of the disks' grains. */
  level: Type.Optional(Type.Integer({ minimum: 0, maximum: 9 })),
});

/** How a system is exported. */
export type ExportOptions = StaticDecode<typeof ExportOptionsSchema>;

/** Wire schema of {@link ExportResult}. */
export const ExportResultSchema = Type.Object({
  destination: ExportDestinationSchema,
  /** The artifact to download, for an `artifact` destination. */
  artifact: Type.Optional(Type.String()),
  format: oneOf(['ova', 'ovf'] as const),
  target: Type.String(),
  ovfVersion: oneOf(['1.0', '2.0'] as const),
  manifest: Type.String(),
  signed: Type.Boolean(),
  files: Type.Array(Type.Object({ name: Type.String(), sizeBytes: Uint64 })),
  /** What the export changed or left out, one line each. */
  notes: Type.Array(Type.String()),
  /** Warnings of Vessel's own validator about the written descriptor. */
  warnings: Type.Array(Type.String()),
});

/** What an export wrote. */
export type ExportResult = StaticDecode<typeof ExportResultSchema>;

/**
 * Packages in and out.
 *
 * @example
 * const job = await api.packages.deploy({ kind: 'pool', pool: 'images', image: 'web.ova' }, { powerOn: true });
 */
export interface PackagesApi {
  /** `deploy --dry-run`: mapped hardware, properties with types and defaults, EULAs, networks, options. */
  inspect(source: PackageSource, o?: Omit<DeployOptions, 'powerOn' | 'waitMs'>): Promise<DeployPlanView>;
  deploy(source: PackageSource, o?: DeployOptions): Promise<JobInfo<DeployResult>>;
  export(ref: SystemRef, o: ExportOptions): Promise<JobInfo<ExportResult>>;
}
