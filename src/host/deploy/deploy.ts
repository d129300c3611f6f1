import { copyFile, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { VirtualSystemDefinition } from '../../model/index.js';
import { OvaReader, type OvaReport, packageFiles, readPemCertificates } from '../../ova/index.js';
import { HostError } from '../errors.js';
import { createEmptyDisk, fitCapacity, stageDisk } from './disks.js';
import { writeEnvironmentIso } from './env-iso.js';
import type { PlannedDisk, SystemPlan } from './plan.js';
import { type PrepareTarget, prepareDeploy } from './prepare.js';
import { maskSecrets } from './properties.js';
import { createStaging, promoteStaging, systemDir } from './staging.js';
import { startupPlan } from './startup.js';

/** The version Vessel gives in the PlatformSection of the OVF environments it writes. */
export const VESSEL_PLATFORM_VERSION = '0.1.0';

/** A deploy as the CLI and the socket API ask for it (`vessel deploy PACKAGE ...`). */
export interface DeployRequest {
  /** The .ova, or the .ovf with its files beside it. */
  package: string;
  name?: string | undefined;
  /** The deployment option (DeploymentOptionSection Configuration ovf:id). */
  configuration?: string | undefined;
  /** `--prop KEY=VALUE`: property values by environment key. */
  properties?: Record<string, string> | undefined;
  /** `--net OVFNET=HOSTNET`. */
  networks?: Record<string, string> | undefined;
  powerOn?: boolean | undefined;
  acceptEula?: boolean | undefined;
  /** Relax conformance checks and leave out hardware that cannot be mapped. */
  lax?: boolean | undefined;
  requireSignature?: boolean | undefined;
  /** A PEM bundle of CA certificates the signer must chain to (a host path). */
  ca?: string | undefined;
  /** The same bundle as PEM text (what the Api carries); used when `ca` is not given. */
  caPem?: string | undefined;
}

/** One system a deploy registered. */
export interface DeployedVm {
  name: string;
  uuid: string;
  /** Its VirtualSystem ovf:id in the package. */
  systemId: string;
  state: string;
  notes: string[];
}

/** What a deploy did. */
export interface DeployResult {
  package: string;
  configuration: string | undefined;
  vms: DeployedVm[];
  /** Systems powered on, in the order they were started. */
  started: string[];
  warnings: string[];
  manifest: boolean;
  signature: OvaReport['signature'];
}

/** What a deploy needs of the host: names in use, registration in one transaction, starting a system. */
interface DeployTarget extends PrepareTarget {
  register(entries: { def: VirtualSystemDefinition; metadata: Record<string, string> }[]): Promise<void>;
  start(uuid: string): Promise<void>;
  state(uuid: string): string;
}

/** The metadata keys a deploy stores with each system (read back by export to keep product and properties). */
export const DEPLOY_METADATA = {
  descriptor: 'ovf.descriptor',
  configuration: 'ovf.configuration',
  properties: 'ovf.properties',
  systemId: 'ovf.systemId',
  package: 'ovf.package',
} as const;

/** Copies a non-disk file (an ISO a CD uses) out of the package. */
async function writeBody(body: AsyncIterable<Buffer>, path: string, onBytes: (n: number) => void) {
  const fh = await open(path, 'wx', 0o600);
  try {
    for await (const c of body) {
      onBytes(c.length);
      await fh.write(c);
    }
  } finally {
    await fh.close();
  }
}

interface Use {
  plan: SystemPlan;
  disk?: PlannedDisk;
  fileName: string;
}

/**
 * Deploys an OVF package onto the host. Everything that can refuse the deploy is checked before a byte of disk is
 * read: descriptor validity, deployment option, EULAs, property values, networks, hardware mapping. The package is
 * then read once: each disk is converted to qcow2 into a staging folder as it streams out of the archive, while
 * the manifest (and certificate) are verified; only when the whole package has verified are the systems moved into
 * place and registered, all in one store transaction. Any failure removes what was staged.
 *
 * @example
 * const r = await deployPackage(target, { package: 'app.ova', properties: { hostname: 'web1' } }, 'job1', console.log);
 */
export async function deployPackage(
  target: DeployTarget,
  req: DeployRequest,
  job: string,
  progress: (percent: number) => void,
): Promise<DeployResult> {
  const { path, pkg, configuration, props, plans, warnings } = await prepareDeploy(target, req);
  const env = pkg.envelope;
  const ca =
    req.ca !== undefined
      ? readPemCertificates(await readFile(req.ca), `CA bundle ${req.ca}`)
      : req.caPem !== undefined
        ? readPemCertificates(req.caPem, 'the CA bundle')
        : undefined;
  const uuids = plans.map((p) => p.uuid);
  const staging = await createStaging(target.stateDir, job, uuids);
  let promoted = false;
  try {
    const uses = new Map<string, Use[]>();
    for (const plan of plans) {
      for (const disk of plan.disks) {
        if (disk.fileId !== undefined)
          uses.set(disk.fileId, [...(uses.get(disk.fileId) ?? []), { plan, disk, fileName: disk.fileName }]);
      }
      for (const f of plan.files)
        uses.set(f.fileId, [...(uses.get(f.fileId) ?? []), { plan, fileName: f.fileName }]);
    }
    const staged = new Map<string, { path: string; virtualSize: number }>();
    let read = 0;
    const onBytes = (n: number) => {
      read += n;
      progress(2 + Math.min(90, (read / Math.max(1, pkg.bytes)) * 90));
    };
    progress(2);
    const reader = new OvaReader(pkg.source(), {
      label: path,
      ...(ca ? { ca } : {}),
      ...(req.requireSignature ? { requireSignature: true } : {}),
    });
    for await (const f of packageFiles(reader)) {
      if (reader.descriptorBytes !== undefined && !reader.descriptorBytes.equals(pkg.descriptor))
        throw new HostError(
          'DEPLOY_PACKAGE',
          `The descriptor of ${path} changed while it was being deployed`,
        );
      const first = uses.get(f.file.id)?.[0];
      if (first === undefined) continue; // not used by the chosen configuration: skipped, still verified
      const out = join(staging, first.plan.uuid, first.fileName);
      if (first.disk !== undefined) {
        const virtualSize = await stageDisk(f.body, out, { name: f.file.href, onBytes });
        staged.set(f.file.id, { path: out, virtualSize });
      } else {
        await writeBody(f.body, out, onBytes);
        staged.set(f.file.id, { path: out, virtualSize: 0 });
      }
    }
    const report = reader.report();
    if (!report.intact) {
      const p = report.problems[0];
      throw new HostError('DEPLOY_PACKAGE', p?.message ?? `${path} is not intact`);
    }
    warnings.push(...report.warnings);
    progress(93);
    for (const [fileId, list] of uses) {
      const src = staged.get(fileId);
      if (src === undefined)
        throw new HostError('DEPLOY_PACKAGE', `The package does not contain the file of "${fileId}"`);
      for (const u of list) {
        const out = join(staging, u.plan.uuid, u.fileName);
        if (out !== src.path) await copyFile(src.path, out);
        if (u.disk !== undefined) await fitCapacity(out, src.virtualSize, u.disk.capacity, u.disk.diskId);
      }
    }
    for (const plan of plans) {
      for (const d of plan.disks) {
        if (d.fileId === undefined) await createEmptyDisk(join(staging, plan.uuid, d.fileName), d.capacity);
      }
      if (plan.environment !== undefined)
        await writeEnvironmentIso(join(staging, plan.uuid, 'ovf-env.iso'), plan.environment);
    }
    progress(96);
    promoted = true;
    await promoteStaging(target.stateDir, staging, uuids, path);
    await target.register(
      plans.map((p) => ({
        def: p.definition,
        metadata: {
          [DEPLOY_METADATA.descriptor]: pkg.descriptor.toString('utf8'),
          ...(configuration === undefined ? {} : { [DEPLOY_METADATA.configuration]: configuration }),
          // Passwords are kept only in the system's OVF environment CD (0600), never in the store.
          [DEPLOY_METADATA.properties]: JSON.stringify(maskSecrets(p.properties, props.secrets)),
          [DEPLOY_METADATA.systemId]: p.system.id,
          [DEPLOY_METADATA.package]: path,
        },
      })),
    );
    promoted = false; // registered: the folders now belong to their systems
    const started = req.powerOn ? await powerOn(target, env, plans) : [];
    return {
      package: path,
      configuration,
      vms: plans.map((p) => ({
        name: p.name,
        uuid: p.uuid,
        systemId: p.system.id,
        state: target.state(p.uuid),
        notes: p.notes,
      })),
      started,
      warnings,
      manifest: report.manifest !== undefined,
      signature: report.signature,
    };
  } finally {
    await rm(staging, { recursive: true, force: true });
    if (promoted) {
      for (const u of uuids) await rm(systemDir(target.stateDir, u), { recursive: true, force: true });
    }
  }
}

/** Starts the systems in StartupSection order, waiting each step's delay before the next. */
async function powerOn(target: DeployTarget, env: Parameters<typeof startupPlan>[0], plans: SystemPlan[]) {
  const byId = new Map(plans.map((p) => [p.system.id, p]));
  const started: string[] = [];
  const steps = startupPlan(env).filter((s) => s.systemIds.length > 0);
  for (const [i, step] of steps.entries()) {
    for (const id of step.systemIds) {
      const p = byId.get(id);
      if (p === undefined) continue;
      await target.start(p.uuid);
      started.push(p.name);
    }
    if (i < steps.length - 1 && step.delayMs > 0) await new Promise((r) => setTimeout(r, step.delayMs));
  }
  return started;
}
