import { join } from 'node:path';
import {
  type CimValue,
  imagePath,
  type ResourceSetting,
  ResourceType,
  type VirtualSystemDefinition,
} from '../../model/index.js';
import {
  findSection,
  findSections,
  type OvfContent,
  type OvfEnvelope,
  virtualSystems,
} from '../../ovf/index.js';
import { HostError } from '../errors.js';

/**
 * Confinement of a deployed system (docs/security.md, "Packages"): after a deploy, a system refers only to files
 * the deploy created in its own folder (`STATE/vms/UUID/`). The package may name its own files only: every
 * `HostResource` of every item, whatever its kind (disk, CD/DVD, floppy, serial or parallel port, USB, sound,
 * graphics, passthrough or a kind this host does not know yet), is a package reference (`ovf:/disk/ID`,
 * `ovf:/file/ID`, DSP0243 §9.1 and §8.3; also the OVF 0.9 `/disk/ID` and VirtualBox's `ovf://disk/ID`) or empty.
 * Anything else is refused with `DEPLOY_HOST_PATH`: host paths, `file:` URLs, devices, relative or UNC paths,
 * URLs and QEMU pseudo-protocols (`nbd:`, `json:`...). There is no `--lax` escape.
 *
 * The checks go over every item rather than per device kind, so that a kind added later cannot slip through:
 * {@link checkEnvelopeReferences} on every item of every system of the package, for every configuration, before
 * the descriptor is even validated; {@link checkPackageReferences} on each system's definition as the plan reads
 * it (every deploy and the corpus mapping check pass there); {@link assertConfined} on the definition a deploy
 * registers.
 */

/** A package reference of a HostResource: a Disk of the DiskSection or a File of References. */
interface PackageRef {
  kind: 'disk' | 'file';
  id: string;
}

/** The disk and file ids the package declares. */
interface DeclaredIds {
  disks: ReadonlySet<string>;
  files: ReadonlySet<string>;
}

/** The disk and file ids a package declares (DiskSection ovf:diskId, References File ovf:id). */
export function declaredIds(env: OvfEnvelope): DeclaredIds {
  return {
    disks: new Set((findSection(env.sections, 'DiskSection')?.disks ?? []).map((d) => d.diskId)),
    files: new Set(env.references.map((f) => f.id)),
  };
}

/** VSSD properties (CIM_VirtualSystemSettingData, DSP1057) that name host folders or files. */
const VSSD_PATH_PROPERTIES = [
  'ConfigurationDataRoot',
  'ConfigurationFile',
  'LogDataRoot',
  'RecoveryFile',
  'SnapshotDataRoot',
  'SuspendDataRoot',
  'SwapFileDataRoot',
] as const;

/** Resource types whose Connection names a network (which `--net` maps to one the host configured). */
const NETWORK_TYPES = new Set<number>([
  ResourceType.EthernetAdapter,
  ResourceType.OtherNetworkAdapter,
  ResourceType.EthernetSwitchPort,
  ResourceType.EthernetConnection,
]);

const REF = /^(?:ovf:\/{1,2}|\/)(disk|file)\/(.+)$/i;

/**
 * Reads a HostResource value as a package reference: `ovf:/disk/ID`, `ovf://disk/ID`, `/disk/ID` (OVF 0.9),
 * `ovf:/file/ID`, with the scheme and kind in any case and surrounding blanks ignored. The id is matched as
 * written, else percent-decoded (RFC 3986 §2.1), against the ids the package declares. Returns `'empty'` for a
 * blank value, `undefined` when the value is not a reference to a declared disk or file (the caller refuses it).
 *
 * @example
 * packageReference('OVF:/FILE/iso%31', { disks: new Set(), files: new Set(['iso1']) }); // { kind: 'file', id: 'iso1' }
 * packageReference('/etc/shadow', ids); // undefined
 */
export function packageReference(value: string, ids: DeclaredIds): PackageRef | 'empty' | undefined {
  const t = value.trim();
  if (t === '') return 'empty';
  const m = REF.exec(t);
  if (m === null) return undefined;
  const kind = m[1]!.toLowerCase() as PackageRef['kind'];
  const declared = kind === 'disk' ? ids.disks : ids.files;
  const raw = m[2]!;
  if (declared.has(raw)) return { kind, id: raw };
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  return declared.has(decoded) ? { kind, id: decoded } : undefined;
}

/** True when a Connection of a non-network item names a host resource: a path, URL or pseudo-protocol. */
function namesHostResource(connection: string): boolean {
  const t = connection.trim();
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are refused, as in paths
  return /[/\\\u0000-\u001f\u007f]/.test(t) || /^[A-Za-z][A-Za-z0-9+.-]*:/.test(t) || t.startsWith('.');
}

/** `item "5" (CD-ROM 1)`: how messages name a RASD. */
export function itemLabel(r: ResourceSetting, index: number): string {
  const id = r.properties.InstanceID ?? `#${index + 1}`;
  const name = r.properties.ElementName?.trim();
  return `item "${id}"${name ? ` (${name.slice(0, 60)})` : ''}`;
}

/** The values of a property that may be written as a scalar or an array. */
const valuesOf = (v: CimValue | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

const shown = (v: string) => JSON.stringify(v.length > 200 ? `${v.slice(0, 200)}...` : v);

/**
 * Every place of a definition that names something outside it, each judged by `hostResourceOk`: every value of
 * every item's HostResource, the Connection of every item that is not a network adapter, and the VSSD's path
 * properties. Returns one line per problem.
 */
function problems(def: VirtualSystemDefinition, hostResourceOk: (v: string) => boolean): string[] {
  const out: string[] = [];
  for (const key of VSSD_PATH_PROPERTIES) {
    for (const x of valuesOf(def.system[key])) {
      if (x.trim() !== '')
        out.push(
          `the system settings name ${shown(x)} as ${key}; the host decides where a system's files live`,
        );
    }
  }
  def.resources.forEach((r, i) => {
    for (const v of valuesOf(r.properties.HostResource)) {
      if (!hostResourceOk(v))
        out.push(`${itemLabel(r, i)} names ${shown(v)} (HostResource), which is not a file of the package`);
    }
    const type = Number(r.properties.ResourceType);
    if (NETWORK_TYPES.has(type)) return;
    for (const c of valuesOf(r.properties.Connection)) {
      if (namesHostResource(c))
        out.push(`${itemLabel(r, i)} connects to ${shown(c)} (Connection), which names a host resource`);
    }
  });
  return out;
}

function refuse(system: string, list: string[]): never {
  const shownList =
    list.slice(0, 8).join('; ') + (list.length > 8 ? `; ... and ${list.length - 8} more` : '');
  throw new HostError('DEPLOY_HOST_PATH', `Cannot deploy "${system}": ${shownList}`, {
    hint: "A deployed system may use only its package's own files (HostResource ovf:/disk/ID or ovf:/file/ID) or nothing: Vessel never gives a guest a host file, device or URL",
  });
}

/**
 * Refuses the package's definition of system `system` when any item names something that is not one of the
 * package's declared disks or files (see {@link packageReference}), with `DEPLOY_HOST_PATH` listing each item,
 * property and value. Runs on every item as the package gives it, before any is mapped or left out.
 */
export function checkPackageReferences(def: VirtualSystemDefinition, system: string, ids: DeclaredIds): void {
  const list = problems(def, (v) => packageReference(v, ids) !== undefined);
  if (list.length > 0) refuse(system, list);
}

/**
 * Runs {@link checkPackageReferences} on every item of every VirtualHardwareSection of every system of the
 * package, whatever configuration it belongs to: a package that names a host resource anywhere is refused as a
 * whole, before anything else is judged. `nameOf` gives the name a system is deployed under, for messages.
 */
export function checkEnvelopeReferences(env: OvfEnvelope, nameOf: (system: OvfContent) => string): void {
  const ids = declaredIds(env);
  for (const system of virtualSystems(env)) {
    for (const hw of findSections(system.sections, 'VirtualHardwareSection')) {
      const def = { system: hw.system?.properties ?? {}, resources: hw.items.map((i) => i.resource) };
      checkPackageReferences(def, nameOf(system), ids);
    }
  }
}

/**
 * The invariant of a planned deploy: every HostResource of the definition it will register is a `file://` URL
 * of a file the deploy creates in the system's folder `dir` (one of `own`, names inside `dir`), and nothing
 * else names a host resource. Throws `DEPLOY_HOST_PATH` otherwise (a defect of the deploy itself, as the
 * package was checked first).
 */
export function assertConfined(
  def: VirtualSystemDefinition,
  system: string,
  dir: string,
  own: ReadonlySet<string>,
): void {
  const allowed = new Set([...own].map((n) => join(dir, n)));
  const list = problems(def, (v) => v.startsWith('file://') && allowed.has(imagePath(v) ?? ''));
  if (list.length > 0) refuse(system, list);
}
