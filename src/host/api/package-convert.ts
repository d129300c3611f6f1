import {
  ApiError,
  type DeployOptions,
  type DeployPlanView,
  type DeployResult,
  type ExportOptions,
  type ExportResult,
} from '../../api/index.js';
import { loadSigner } from '../../ova/index.js';
import type { DeployRequest, DeployResult as HostDeployResult } from '../deploy/deploy.js';
import { type PreparedDeploy, packageFacts } from '../deploy/prepare.js';
import type {
  ExportOptions as HostExportOptions,
  ExportResult as HostExportResult,
} from '../export/export.js';

/**
 * The Api's deploy and export options and results in the host's own terms and back: one function each way, so that
 * what a transport carries and what the host's deploy and export take stay apart.
 */

/** The deploy request for a package at `path` (a host path: staged upload, pool image or the caller's own). */
export function deployRequestOf(path: string, o: DeployOptions): DeployRequest {
  if (o.pool !== undefined) {
    throw new ApiError(
      'NOT_SUPPORTED',
      `A deploy cannot put the disks in the storage pool "${o.pool}": this host writes a deployed system's disks into its own folder`,
      { hint: 'Leave out the pool; the disks go with the system and are removed with it' },
    );
  }
  return {
    package: path,
    name: o.name,
    configuration: o.configuration,
    properties: o.properties,
    networks: o.networks,
    powerOn: o.powerOn,
    acceptEula: o.acceptEula,
    lax: o.lax,
    requireSignature: o.requireSignature,
    caPem: o.caPem,
  };
}

/** What a deploy did, in the Api's terms (`started` by UUID). */
export function toDeployResult(r: HostDeployResult): DeployResult {
  const uuidOf = new Map(r.vms.map((v) => [v.name, v.uuid]));
  const s = r.signature;
  return {
    ...(r.configuration === undefined ? {} : { configuration: r.configuration }),
    systems: r.vms.map((v) => ({ systemId: v.systemId, name: v.name, uuid: v.uuid, notes: v.notes })),
    started: r.started.map((name) => uuidOf.get(name) ?? name),
    warnings: r.warnings,
    manifest: r.manifest,
    ...(s === undefined
      ? {}
      : { signature: { signer: s.signer?.subject ?? '', trusted: s.trusted === true } }),
  };
}

/** A dry run's view of a prepared package. */
export function toPlanView(p: PreparedDeploy): DeployPlanView {
  const facts = packageFacts(p.pkg.envelope, p.configuration);
  const opt = <K extends string, V>(k: K, v: V | undefined) =>
    v === undefined ? {} : ({ [k]: v } as Record<K, V>);
  return {
    ...opt('configuration', p.configuration),
    systems: p.plans.map((s) => ({
      systemId: s.system.id,
      name: s.name,
      definition: s.definition,
      notes: s.notes,
      disks: s.disks.map((d) => ({
        diskId: d.diskId,
        capacityBytes: d.capacity,
        fileName: d.fileName,
        blank: d.fileId === undefined,
      })),
    })),
    properties: facts.properties.map((x) => ({
      key: x.key,
      type: x.type,
      ...opt('label', x.label),
      ...opt('defaultValue', x.defaultValue),
      userConfigurable: x.userConfigurable,
      password: x.password,
      required: x.required,
    })),
    eulas: facts.eulas,
    networks: facts.networks.map((n) => ({ name: n.name, ...opt('description', n.description) })),
    configurations: facts.configurations.map((c) => ({
      id: c.id,
      ...opt('label', c.label),
      isDefault: c.isDefault,
    })),
    warnings: p.warnings,
  };
}

/** The host's export options for an Api export written to `output`. */
export function exportOptionsOf(o: ExportOptions, output: string, overwrite: boolean): HostExportOptions {
  return {
    format: o.format,
    output,
    ovfVersion: o.ovfVersion,
    target: o.target,
    manifest: o.manifest,
    signer: o.signer === undefined ? undefined : loadSigner(o.signer.keyPem, o.signer.certPem),
    keepMacs: o.keepMacs,
    overwrite,
    level: o.level,
  };
}

/** What an export wrote, in the Api's terms. */
export function toExportResult(
  r: HostExportResult,
  o: ExportOptions,
  artifact: string | undefined,
): ExportResult {
  return {
    destination: o.destination,
    ...(artifact === undefined ? {} : { artifact }),
    format: r.format,
    target: r.target,
    ovfVersion: r.ovfVersion,
    manifest: r.manifest,
    signed: r.signed,
    files: r.files.map((f) => ({ name: f.name, sizeBytes: BigInt(f.size) })),
    notes: r.notes,
    warnings: r.warnings,
  };
}
