import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { buildQemuArgv, uefiFirmware } from '../hypervisor/index.js';
import {
  assertValidDefinition,
  ModelError,
  parseUint,
  readHardware,
  toBaseUnits,
  type VirtualSystemDefinition,
} from '../model/index.js';
import {
  allContents,
  definitionFromOvf,
  diskIdOf,
  fileIdOf,
  hardwareOf,
  itemApplies,
  type OvfContent,
  type OvfEnvelope,
  type OvfEnvironment,
  virtualSystems,
} from '../ovf/index.js';
import { MAX_DEPLOY_CAPACITY } from './deploy-disks.js';
import {
  applyFirmware,
  attachEnvironmentCd,
  defaultCpuAndMemory,
  ensureSerialConsole,
  mapHardware,
} from './deploy-hardware.js';
import type { ResolvedProperties } from './deploy-properties.js';
import { HostError } from './errors.js';

/** A disk of one system: where it is staged and where it ends up. */
export interface PlannedDisk {
  diskId: string;
  capacity: bigint;
  /** The References/File it is read from; undefined for a blank disk. */
  fileId: string | undefined;
  /** File name inside the system's directory. */
  fileName: string;
}

/** A non-disk file a CD/DVD drive uses (`ovf:/file/ID`), copied into the system's directory. */
export interface PlannedFile {
  fileId: string;
  fileName: string;
}

/** One VirtualSystem of the package as it will be registered. */
export interface SystemPlan {
  system: OvfContent;
  uuid: string;
  name: string;
  /** Paths in HostResource already point at the system's final directory. */
  definition: VirtualSystemDefinition;
  disks: PlannedDisk[];
  files: PlannedFile[];
  /** The OVF environment, when the system asks for the ISO transport. */
  environment: OvfEnvironment | undefined;
  /** Property values of the system (its own and its collections'), by key. */
  properties: Record<string, string>;
  notes: string[];
}

/** Everything {@link planSystems} needs besides the envelope. */
export interface PlanContext {
  configuration: string | undefined;
  properties: ResolvedProperties;
  networks: ReadonlyMap<string, string>;
  /** `--name`: the system's name, or the prefix of each system's name in a collection. */
  name: string | undefined;
  lax: boolean;
  /** The final directory of a system (`STATE/vms/UUID`). */
  finalDir(uuid: string): string;
  platformVersion: string;
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 80);

/** The parent collection of each content node. */
function parents(env: OvfEnvelope): Map<OvfContent, OvfContent> {
  const out = new Map<OvfContent, OvfContent>();
  for (const c of allContents(env)) for (const k of c.children) out.set(k, c);
  return out;
}

function ancestry(c: OvfContent, up: Map<OvfContent, OvfContent>): OvfContent[] {
  const chain: OvfContent[] = [];
  for (let x: OvfContent | undefined = c; x !== undefined; x = up.get(x)) chain.unshift(x);
  return chain;
}

/** The capacity of a disk in bytes, `${property}` references resolved (DSP0243 §9.1). */
function capacityOf(
  diskId: string,
  text: string,
  units: string | undefined,
  props: Record<string, string>,
): bigint {
  let t = text.trim();
  const ref = /^\$\{(.+)\}$/.exec(t);
  if (ref) {
    const v = props[ref[1]!];
    if (v === undefined)
      throw new HostError(
        'DEPLOY_INVALID',
        `Disk "${diskId}": capacity ${t} names no property of the system`,
      );
    t = v;
  }
  const n = parseUint(t);
  let bytes: bigint | undefined;
  try {
    bytes = n === undefined ? undefined : toBaseUnits(n, units ?? 'byte', 'byte');
  } catch {
    bytes = undefined;
  }
  if (bytes === undefined || bytes === 0n) {
    throw new HostError(
      'DEPLOY_INVALID',
      `Disk "${diskId}": capacity "${text}"${units ? ` ${units}` : ''} is not a size in bytes`,
    );
  }
  if (bytes > MAX_DEPLOY_CAPACITY) {
    throw new HostError(
      'DEPLOY_DISK',
      `Disk "${diskId}" declares ${bytes} bytes of capacity; this host creates disks of at most ${MAX_DEPLOY_CAPACITY} bytes (64 TiB)`,
    );
  }
  return bytes;
}

/** Resolves a system's drives: package disks and files become files of its directory. */
function resolveDrives(
  env: OvfEnvelope,
  def: VirtualSystemDefinition,
  dir: string,
  props: Record<string, string>,
): { disks: PlannedDisk[]; files: PlannedFile[] } {
  const pkgDisks = new Map(
    (env.sections.find((s) => s.kind === 'DiskSection')?.disks ?? []).map((d) => [d.diskId, d]),
  );
  const fileIds = new Set(env.references.map((f) => f.id));
  const disks: PlannedDisk[] = [];
  const files: PlannedFile[] = [];
  for (const r of def.resources) {
    const hr = r.properties.HostResource;
    if (hr === undefined || hr.length === 0) continue;
    const diskId = diskIdOf(hr[0]);
    const fileId = fileIdOf(hr[0]);
    if (diskId !== undefined) {
      const d = pkgDisks.get(diskId);
      if (d === undefined)
        throw new HostError(
          'DEPLOY_INVALID',
          `Item "${r.properties.InstanceID}" uses disk "${diskId}", which DiskSection does not declare`,
        );
      if (d.parentRef !== undefined)
        throw new HostError(
          'DEPLOY_DISK',
          `Disk "${diskId}" is a delta of "${d.parentRef}" (ovf:parentRef); Vessel deploys self-contained disks only`,
        );
      let planned = disks.find((x) => x.diskId === diskId);
      if (planned === undefined) {
        planned = {
          diskId,
          capacity: capacityOf(diskId, d.capacity, d.capacityAllocationUnits, props),
          fileId: d.fileRef,
          fileName: `image-${safe(diskId)}.qcow2`,
        };
        disks.push(planned);
      }
      r.properties.HostResource = [`file://${join(dir, planned.fileName)}`];
    } else if (fileId !== undefined) {
      if (!fileIds.has(fileId))
        throw new HostError(
          'DEPLOY_INVALID',
          `Item "${r.properties.InstanceID}" uses file "${fileId}", which References does not list`,
        );
      const fileName = `file-${safe(fileId)}`;
      if (!files.some((f) => f.fileId === fileId)) files.push({ fileId, fileName });
      r.properties.HostResource = [`file://${join(dir, fileName)}`];
    }
  }
  return { disks, files };
}

/** Which items of the system are `ovf:required="false"` for the configuration. */
function optionalIds(system: OvfContent, configuration: string | undefined): Set<string> {
  const out = new Set<string>();
  for (const i of hardwareOf(system)?.items ?? []) {
    const id = i.resource.properties.InstanceID;
    if (id !== undefined && itemApplies(i, configuration) && /^(false|0)$/i.test(i.required ?? ''))
      out.add(id);
  }
  return out;
}

/** Checks the definition as the QEMU driver will: model rules, then its command line. */
function preflight(def: VirtualSystemDefinition, name: string): void {
  try {
    assertValidDefinition(def);
    const images = new Map(
      readHardware(def.resources)
        .drives.filter((d) => d.kind === 'disk')
        .map((d) => [d.instanceId, { file: '/dev/null', format: 'qcow2' }]),
    );
    buildQemuArgv(def, {
      uuid: def.system.VirtualSystemIdentifier ?? '',
      accel: 'tcg',
      qmpSocket: '/dev/null',
      console: { socket: '/dev/null', log: '/dev/null', extraLog: () => '/dev/null' },
      images,
      // The firmware the driver will use, if installed; nothing is copied for this check.
      ...(() => {
        const uefi = uefiFirmware('/nonexistent', false);
        return uefi ? { uefi } : {};
      })(),
    });
  } catch (e) {
    if (e instanceof ModelError || (e as { code?: string }).code !== undefined) {
      throw new HostError('DEPLOY_HARDWARE', `"${name}" cannot run on this host: ${(e as Error).message}`, {
        cause: e,
        hint: (e as { hint?: string }).hint,
      });
    }
    throw e;
  }
}

/**
 * Plans every VirtualSystem of the package (a lone system, or each one of a collection, depth first): its
 * definition for the deployment option, with names, a new UUID, networks mapped, hardware mapped to QEMU (or the
 * deploy refused), drives pointing at the files the deploy will write, firmware, a serial console, and the OVF
 * environment CD when the system asks for the ISO transport.
 */
export function planSystems(env: OvfEnvelope, ctx: PlanContext): SystemPlan[] {
  const up = parents(env);
  const systems = virtualSystems(env);
  return systems.map((system) => {
    const chain = ancestry(system, up);
    const props: Record<string, string> = {};
    for (const c of chain) for (const p of ctx.properties.values.get(c) ?? []) props[p.key] = p.value;
    const read = definitionFromOvf(env, {
      systemId: system.id,
      ...(ctx.configuration === undefined ? {} : { configuration: ctx.configuration }),
    });
    const def = read.definition;
    // A name from the package that the host cannot use ("sun/vhw") is made usable; --name is taken as given.
    const own = (system.name?.text.trim() || system.id).replace(/[/\p{Cc}]+/gu, '-').slice(0, 128);
    const name =
      systems.length === 1 && env.content === system
        ? (ctx.name ?? own)
        : `${ctx.name ? `${ctx.name}-` : ''}${own}`;
    const uuid = randomUUID();
    def.system.ElementName = name;
    def.system.VirtualSystemIdentifier = uuid;
    const notes: string[] = [];
    const optional = optionalIds(system, ctx.configuration);
    const mapped = mapHardware(def.resources, (id) => optional.has(id), ctx.lax);
    if (mapped.refused.length > 0) {
      throw new HostError(
        'DEPLOY_HARDWARE',
        `"${name}" has hardware this host cannot give it: ${mapped.refused.map((u) => `item "${u.instanceId}": ${u.reason}`).join('; ')}`,
        { hint: 'Optional items (ovf:required="false") are left out; --lax leaves out required ones too' },
      );
    }
    def.resources = mapped.resources;
    notes.push(...mapped.notes);
    notes.push(...defaultCpuAndMemory(def));
    for (const r of def.resources) {
      const conn = r.properties.Connection;
      if (conn?.[0] !== undefined && ctx.networks.has(conn[0]))
        r.properties.Connection = [ctx.networks.get(conn[0])!, ...conn.slice(1)];
    }
    const dir = ctx.finalDir(uuid);
    const { disks, files } = resolveDrives(env, def, dir, props);
    const fw = applyFirmware(def, system);
    if (fw) notes.push(fw);
    const serial = ensureSerialConsole(def);
    if (serial) notes.push(serial);
    const transport = (hardwareOf(system)?.transport ?? '').split(/[\s,]+/).map((t) => t.toLowerCase());
    let environment: OvfEnvironment | undefined;
    if (transport.includes('iso')) {
      attachEnvironmentCd(def, join(dir, 'ovf-env.iso'));
      const parent = up.get(system);
      environment = {
        id: system.id,
        platform: { kind: 'Vessel', version: ctx.platformVersion, vendor: 'Vessel', locale: 'en' },
        properties: Object.entries(props).map(([key, value]) => ({ key, value })),
        entities: (parent?.children ?? [])
          .filter((s) => s !== system)
          .map((s) => ({ id: s.id, properties: ctx.properties.values.get(s) ?? [] })),
      };
    } else if (Object.keys(props).length > 0) {
      notes.push(
        'The system has properties but asks for no OVF environment transport (ovf:transport="iso"); none is given to it',
      );
    }
    preflight(def, name);
    return { system, uuid, name, definition: def, disks, files, environment, properties: props, notes };
  });
}
