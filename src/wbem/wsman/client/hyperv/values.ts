import type { SystemState, SystemSummary } from '../../../../api/index.js';
import { type CimInstance, rasdFromInstance } from '../../../../cim/index.js';
import {
  propertiesOf,
  type ResourceSetting,
  type SettingClass,
  settingClassOf,
  type VirtualSystemDefinition,
  type VssdProperties,
} from '../../../../model/index.js';
import { MSVM, STATE_OF_ENABLED } from './names.js';

/**
 * Hyper-V's instances as the one model: an Msvm_ComputerSystem as a summary, an Msvm_VirtualSystemSettingData
 * and the settings it aggregates as a definition (VSSD + RASDs with their DMTF names; src/model's device view
 * reads their meaning, Hyper-V's ResourceSubTypes included).
 */

const text = (i: CimInstance, p: string): string | undefined => {
  const v = i.properties[p];
  return typeof v === 'string' ? v.trim() : undefined;
};

/** Hyper-V's generation 2 (UEFI) and generation 1 (BIOS) VirtualSystemSubType. */
export const SUBTYPE_OF_FIRMWARE = {
  efi: 'Microsoft:Hyper-V:SubType:2',
  bios: 'Microsoft:Hyper-V:SubType:1',
} as const;

/** An xs:dateTime (WS-Man's cim:Datetime) as RFC 3339, or undefined when it is not one. */
function isoOf(value: string | undefined): string | undefined {
  if (value === undefined || !/^\d{4}-\d{2}-\d{2}T/.test(value)) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/**
 * The state of a VM from its EnabledState ({@link STATE_OF_ENABLED}); a missing or unlisted value is `unknown`.
 *
 * @example
 * stateOfVm({ className: 'Msvm_ComputerSystem', properties: { EnabledState: '2' } }); // 'running'
 */
export function stateOfVm(cs: CimInstance): { state: SystemState; enabled: string } {
  const enabled = text(cs, 'EnabledState') ?? '';
  const state = /^\d+$/.test(enabled) ? STATE_OF_ENABLED[Number(enabled)] : undefined;
  return { state: state ?? 'unknown', enabled };
}

/**
 * A VM as a summary: its GUID (Name) in lower case as the UUID, ElementName as the name, the state of its
 * EnabledState and, as the reason, what Hyper-V said; changedAt from TimeOfLastStateChange (else InstallDate).
 *
 * @example
 * summaryOfVm(cs); // { uuid: '6a5a9b32-…', name: 'web1', state: 'stopped', reason: { code: 'unknown', text: 'Hyper-V EnabledState 3' }, … }
 */
export function summaryOfVm(cs: CimInstance): SystemSummary {
  const { state, enabled } = stateOfVm(cs);
  return {
    uuid: (text(cs, 'Name') ?? '').toLowerCase().slice(0, 64),
    name: (text(cs, 'ElementName') ?? text(cs, 'Name') ?? '').slice(0, 128),
    state,
    reason: { code: 'unknown', text: `Hyper-V EnabledState ${enabled.slice(0, 16) || 'missing'}` },
    changedAt:
      isoOf(text(cs, 'TimeOfLastStateChange')) ?? isoOf(text(cs, 'InstallDate')) ?? new Date(0).toISOString(),
  };
}

function known(cls: SettingClass): ReadonlySet<string> {
  return new Set(propertiesOf(cls).map((p) => p.name));
}

/**
 * The InstanceID a WMI object path names (`\\HOST\root\virtualization\v2:Class.InstanceID="…"`, `\\` and `\"`
 * escaped), so that a Parent names its parent as the model does; other text is kept.
 *
 * @example
 * instanceIdOfPath('\\\\HV1\\root\\virtualization\\v2:Msvm_ResourceAllocationSettingData.InstanceID="Microsoft:G\\\\1"'); // 'Microsoft:G\\1'
 */
export function instanceIdOfPath(path: string): string {
  const m = /\.InstanceID="((?:[^"\\]|\\.)*)"\s*$/.exec(path);
  return m ? m[1]!.replace(/\\(.)/g, '$1') : path;
}

/**
 * A VM's definition from its VSSD and settings: VirtualSystemSubType says the firmware (generation 2 is UEFI),
 * VirtualSystemIdentifier the UUID; each setting becomes the model's RASD by src/cim's mapping (Msvm_ class
 * suffixes choose RASD, SASD or EPASD), a WMI path in Parent becomes the parent's InstanceID, a processor without
 * units counts, a drive's medium is folded into the drive (foldMedia), and properties outside the model's schema
 * are left out.
 *
 * @example
 * definitionOfSettings(vssd, [proc, mem, scsi, drive, vhd, nic]).system.ElementName; // 'web1'
 */
export function definitionOfSettings(
  vssd: CimInstance,
  settings: readonly CimInstance[],
  switches: ReadonlyMap<string, string> = new Map(),
): VirtualSystemDefinition {
  const vssdKnown = known('VSSD');
  const system: VssdProperties = {};
  for (const [k, v] of Object.entries(vssd.properties))
    if (vssdKnown.has(k) && k !== 'InstanceID' && typeof v === 'string') system[k] = v;
  const sub = text(vssd, 'VirtualSystemSubType');
  if (sub === SUBTYPE_OF_FIRMWARE.efi) system.Firmware = 'efi';
  else if (sub === SUBTYPE_OF_FIRMWARE.bios) system.Firmware = 'bios';
  const resources = settings.map((i) => {
    const r = rasdFromInstance(i);
    const names = known(settingClassOf(r.cimClass));
    for (const k of Object.keys(r.properties)) if (!names.has(k)) delete r.properties[k];
    if (typeof r.properties.Parent === 'string') r.properties.Parent = instanceIdOfPath(r.properties.Parent);
    if (i.className === MSVM.processor && r.properties.VirtualQuantityUnits === undefined)
      r.properties.VirtualQuantityUnits = 'count';
    return r;
  });
  return { system, resources: foldConnections(foldMedia(resources), switches) };
}

/**
 * Hyper-V connects a NIC (Msvm_SyntheticEthernetPortSettingData, RT 10) through a separate
 * Msvm_EthernetPortAllocationSettingData (RT 33, Parent the port, HostResource the virtual switch's path). The
 * model names a NIC's network in its Connection: the switch's ElementName (from `switches`, by the switch's
 * Name; else that Name), and the connection setting goes.
 */
function foldConnections(
  resources: ResourceSetting[],
  switches: ReadonlyMap<string, string>,
): ResourceSetting[] {
  const byId = new Map(resources.map((r) => [r.properties.InstanceID, r]));
  const folded = new Set<ResourceSetting>();
  for (const r of resources) {
    if (r.cimClass !== 'CIM_EthernetPortAllocationSettingData' || r.properties.Parent === undefined) continue;
    const port = byId.get(r.properties.Parent);
    if (port === undefined || port.properties.ResourceType !== '10') continue;
    const host = r.properties.HostResource;
    const path = Array.isArray(host) ? host[0] : host;
    const name = path === undefined ? undefined : /[.,]Name="((?:[^"\\]|\\.)*)"/.exec(path)?.[1];
    if (name !== undefined) port.properties.Connection = [switches.get(name.toUpperCase()) ?? name];
    folded.add(r);
  }
  return resources.filter((r) => !folded.has(r));
}

/**
 * Hyper-V splits a drive in two: the drive (Msvm_ResourceAllocationSettingData, RT 16 or 17, Parent the
 * controller) and the medium in it (Msvm_StorageAllocationSettingData, RT 31 or 16, Parent the drive,
 * HostResource the VHDX or ISO). The model, as OVF, has one drive with its HostResource: the medium's
 * HostResource moves to the drive it names, and the medium setting goes.
 */
function foldMedia(resources: ResourceSetting[]): ResourceSetting[] {
  const byId = new Map(resources.map((r) => [r.properties.InstanceID, r]));
  const folded = new Set<ResourceSetting>();
  for (const r of resources) {
    if (r.cimClass !== 'CIM_StorageAllocationSettingData' || r.properties.Parent === undefined) continue;
    const drive = byId.get(r.properties.Parent);
    const type = drive?.properties.ResourceType;
    if (drive === undefined || (type !== '16' && type !== '17')) continue;
    if (r.properties.HostResource !== undefined) drive.properties.HostResource = r.properties.HostResource;
    folded.add(r);
  }
  return resources.filter((r) => !folded.has(r));
}
