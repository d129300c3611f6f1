/**
 * CIM settings data: the one model of a virtual system. Property names and values are exactly those of the DMTF
 * classes (CIM_VirtualSystemSettingData, CIM_ResourceAllocationSettingData and its subclasses
 * CIM_StorageAllocationSettingData and CIM_EthernetPortAllocationSettingData), values kept in their wire form
 * (CIM-XML, OVF and WS-Man all carry text), so that every encoding can round-trip them without loss.
 * Interpreting values (units, numbers) is done by the helpers in `resources.ts` and `units/`; which properties
 * exist, their types and how each encoding carries them is the schema's (`schema/`).
 */

import type { PropertiesOf } from './schema/index.js';

/** A CIM property value in wire form: a scalar or an array. */
export type CimValue = string | string[];

/**
 * Properties beyond the schema's, by their DMTF (or vendor) name: kept as they are, so that every encoding can
 * pass them on or say that it cannot (`checkProperties`).
 */
export interface OpenProperties {
  [property: string]: CimValue | undefined;
}

/** CIM_SettingData properties common to every settings class (DSP1041, CIM 2.41), typed from the schema. */
export type SettingDataProperties = PropertiesOf<'SettingData'> & OpenProperties;

/**
 * CIM_VirtualSystemSettingData (DSP1057): the virtual system as a whole, with Vessel's `Firmware` and `BootOrder`,
 * typed from the schema (src/model/schema).
 */
export type VssdProperties = PropertiesOf<'VSSD'> & OpenProperties;

/**
 * CIM_ResourceAllocationSettingData and its SASD/EPASD subclasses' properties (DSP1041), typed from the schema:
 * one bag for the three, as a resource's class is its `cimClass`.
 */
export type RasdProperties = PropertiesOf<'SASD'> & PropertiesOf<'EPASD'> & OpenProperties;

/** Which DMTF class a resource setting is an instance of. */
export type RasdClass =
  | 'CIM_ResourceAllocationSettingData'
  | 'CIM_StorageAllocationSettingData'
  | 'CIM_EthernetPortAllocationSettingData';

/** One resource of a virtual system: a processor, memory, a controller, a disk, a NIC, ... */
export interface ResourceSetting {
  /** The CIM class; OVF writes SASDs as `StorageItem` and EPASDs as `EthernetPortItem`. */
  cimClass: RasdClass;
  properties: RasdProperties;
}

/**
 * A virtual system definition: exactly what DefineSystem takes and what an OVF VirtualHardwareSection carries.
 *
 * @example
 * const def: VirtualSystemDefinition = {
 *   system: { ElementName: 'web1', VirtualSystemType: 'vessel-qemu' },
 *   resources: [{ cimClass: 'CIM_ResourceAllocationSettingData',
 *                 properties: { InstanceID: '1', ResourceType: '3', VirtualQuantity: '2' } }],
 * };
 */
export interface VirtualSystemDefinition {
  system: VssdProperties;
  resources: ResourceSetting[];
}
