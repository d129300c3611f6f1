import type { SystemDetail } from '../api/index.js';
import {
  driveSlotFromAddress,
  listShaped,
  type RasdClass,
  type RasdProperties,
  type ResourceSetting,
  resourceTypeOf,
  type SettingClass,
  settingClassOf,
  shapeProblemOf,
  type VssdProperties,
} from '../model/index.js';
import { CimError } from './errors.js';
import type { ResourceFacts } from './facts.js';
import { C, ORG, parseSettingId, rasdId, vssdId } from './naming.js';
import { poolById, poolIdForType, storagePoolIds } from './pools.js';
import { type CimInstance, type CimValue, isInstance, isInstanceName } from './types.js';

/**
 * The one model ↔ CIM instances. A VSSD and the RASDs of a definition keep their DMTF property names and wire
 * values, so the mapping only sets the identities CIM needs (InstanceID `Vessel:<name>` and
 * `Vessel:<name>/<rasd id>`, a RASD's Parent as the parent's full InstanceID, the pool) and picks the Vessel class.
 */

/** The Vessel class of each RASD class of the model. */
export const CLASS_OF: Readonly<Record<RasdClass, string>> = {
  CIM_ResourceAllocationSettingData: C.rasd,
  CIM_StorageAllocationSettingData: C.sasd,
  CIM_EthernetPortAllocationSettingData: C.epasd,
};

/** The RASD's own InstanceID inside its definition (readDevices' `#n` when it has none). */
export function localId(r: ResourceSetting, index: number): string {
  return r.properties.InstanceID ?? `#${index + 1}`;
}

/** The VSSD instance of a virtual system. */
export function vssdInstance(v: SystemDetail): CimInstance {
  const p: Record<string, CimValue | undefined> = { ...v.definition.system };
  p.InstanceID = vssdId(v.name);
  p.ElementName = v.name;
  p.VirtualSystemIdentifier = v.uuid;
  return { className: C.vssd, properties: p };
}

/** The RASD instances of a virtual system, in definition order, with the facts of each (`resourceFacts`). */
export function rasdInstances(v: SystemDetail, facts: readonly ResourceFacts[] = []): CimInstance[] {
  return v.definition.resources.map((r, i) => rasdInstance(v.name, r, i, facts[i]));
}

/**
 * One RASD instance. With its `facts` (the device view's), a RASD without ResourceSubType shows the subtype that
 * names its meaning (DSP1041 §10.3: the controller or NIC model, the drive kind), a NIC without Address its MAC,
 * and a drive without VirtualQuantity its image's size in `byte` (DSP1041 §10.3 VirtualQuantity and
 * VirtualQuantityUnits; DSP0004 programmatic units).
 */
export function rasdInstance(
  system: string,
  r: ResourceSetting,
  index: number,
  facts: ResourceFacts = {},
): CimInstance {
  const p: Record<string, CimValue | undefined> = { ...r.properties };
  if (facts.subType !== undefined && (p.ResourceSubType === undefined || p.ResourceSubType === ''))
    p.ResourceSubType = facts.subType;
  if (facts.mac !== undefined && p.Address === undefined) p.Address = facts.mac;
  if (facts.sizeBytes !== undefined && p.VirtualQuantity === undefined) {
    p.VirtualQuantity = String(facts.sizeBytes);
    p.VirtualQuantityUnits = 'byte';
    p.AllocationUnits ??= 'byte';
  }
  p.InstanceID = rasdId(system, localId(r, index));
  if (r.properties.Parent !== undefined && !r.properties.Parent.includes(':'))
    p.Parent = rasdId(system, r.properties.Parent);
  const type = resourceTypeOf(r);
  if (p.PoolID === undefined && type !== undefined) p.PoolID = poolIdForType(type);
  if (p.ElementName === undefined) p.ElementName = `Resource ${localId(r, index)}`;
  return { className: CLASS_OF[r.cimClass], properties: p };
}

/** Text values of an embedded instance, dropping what the model cannot hold (references, nested instances). */
function textProperties(inst: CimInstance, cls: SettingClass): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(inst.properties)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) {
      if (v.every((x) => typeof x === 'string')) out[k] = v as string[];
    } else if (typeof v === 'string') out[k] = v;
    else if (isInstanceName(v) || isInstance(v)) continue;
  }
  // A list for a single-valued property cannot be read (which value was meant?); one value for a list is a list.
  for (const [k, v] of Object.entries(out)) {
    const why = shapeProblemOf(cls, k, v);
    if (why !== undefined) throw new CimError('CIM_ERR_INVALID_PARAMETER', `${inst.className}: ${why}`);
  }
  return listShaped(out);
}

/** Which model class an embedded RASD is, from its class name (CIM_ or Vessel_ or any vendor's subclass). */
export function rasdClassOf(className: string): RasdClass {
  const n = className.toLowerCase();
  if (n.endsWith('storageallocationsettingdata')) return 'CIM_StorageAllocationSettingData';
  if (n.endsWith('ethernetportallocationsettingdata')) return 'CIM_EthernetPortAllocationSettingData';
  if (n.endsWith('resourceallocationsettingdata') || n.endsWith('settingdata'))
    return 'CIM_ResourceAllocationSettingData';
  throw new CimError(
    'CIM_ERR_INVALID_PARAMETER',
    `"${className}" is not a resource allocation setting class`,
  );
}

/**
 * The model's VSSD from an embedded instance (DefineSystem, ModifySystemSettings): CIM identities are dropped
 * (the host assigns them), VirtualSystemIdentifier is kept when it is a UUID.
 */
export function vssdFromInstance(inst: CimInstance): VssdProperties {
  if (!inst.className.toLowerCase().endsWith('virtualsystemsettingdata'))
    throw new CimError(
      'CIM_ERR_INVALID_PARAMETER',
      `SystemSettings is a ${inst.className}, not a VirtualSystemSettingData`,
    );
  const p: VssdProperties = textProperties(inst, 'VSSD');
  delete p.InstanceID;
  return p;
}

/**
 * The model's RASD from an embedded instance. A Vessel InstanceID `Vessel:<name>/<id>` becomes `<id>`; a Parent
 * given as a Vessel InstanceID becomes the parent's own id; other InstanceIDs are kept as the RASD's own.
 */
export function rasdFromInstance(inst: CimInstance): ResourceSetting {
  const cimClass = rasdClassOf(inst.className);
  const p: RasdProperties = textProperties(inst, settingClassOf(cimClass));
  if (p.InstanceID !== undefined) {
    const parsed = parseSettingId(p.InstanceID);
    if (parsed?.localId !== undefined) p.InstanceID = parsed.localId;
    else if (p.InstanceID.startsWith(`${ORG}:`)) delete p.InstanceID;
  }
  if (p.Parent !== undefined) {
    const parsed = parseSettingId(p.Parent);
    if (parsed?.localId !== undefined) p.Parent = parsed.localId;
  }
  if (
    p.PoolID !== undefined &&
    p.ResourceType !== undefined &&
    p.PoolID === poolIdForType(Number(p.ResourceType))
  )
    delete p.PoolID;
  // A configured storage pool (DSP1047) is the model's pool name; a primordial pool is the host's choice.
  if (p.PoolID !== undefined) {
    const pool = storagePoolIds.nameOf(p.PoolID);
    if (pool !== undefined) p.PoolID = pool;
    else if (poolById(p.PoolID) !== undefined) delete p.PoolID;
  }
  return { cimClass, properties: p };
}

/**
 * A RASD a client gives this host's methods (DefineSystem, Add/ModifyResourceSettings): `rasdFromInstance`, and a
 * drive's unit given in Address (DSP1041) as the model's AddressOnParent (`driveSlotFromAddress`), read against
 * the `stored` setting a change applies to (ModifyResourceSettings may send Address alone). An Address the model
 * cannot place is CIM_ERR_INVALID_PARAMETER, never silently dropped. (Other hosts' RASDs, which the CIM-XML client
 * reads, keep their Address: libvirt-cim writes a disk's image path there.)
 */
export function rasdFromRequest(inst: CimInstance, stored?: ResourceSetting): ResourceSetting {
  const { cimClass, properties: p } = rasdFromInstance(inst);
  if (p.Address === undefined) return { cimClass, properties: p };
  const whole = stored === undefined ? p : { ...stored.properties, ...p };
  if (stored !== undefined && p.AddressOnParent === undefined) delete whole.AddressOnParent; // Address moves it
  const read = driveSlotFromAddress({ cimClass, properties: whole });
  if ('problem' in read) throw new CimError('CIM_ERR_INVALID_PARAMETER', `${read.problem}. ${read.hint}`);
  if (read.setting.properties === whole) return { cimClass, properties: p };
  const { Address: _, ...rest } = p;
  const slot = read.setting.properties.AddressOnParent;
  return { cimClass, properties: slot === undefined ? rest : { ...rest, AddressOnParent: slot } };
}
