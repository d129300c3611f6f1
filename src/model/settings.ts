/**
 * CIM settings data: the one model of a virtual system. Property names and values are exactly those of the DMTF
 * classes (CIM_VirtualSystemSettingData, CIM_ResourceAllocationSettingData and its subclasses
 * CIM_StorageAllocationSettingData and CIM_EthernetPortAllocationSettingData), values kept in their wire form
 * (CIM-XML, OVF and WS-Man all carry text), so that every encoding can round-trip them without loss.
 * Interpreting values (units, numbers) is done by the helpers in `resources.ts`.
 */

/** A CIM property value in wire form: a scalar or an array. */
export type CimValue = string | string[];

/** Properties that are arrays in the DMTF schema (the rest are scalars). */
export const ARRAY_PROPERTIES: ReadonlySet<string> = new Set([
  'HostResource',
  'Connection',
  'Notes',
  'AllowedPriorities',
  'AllowedToReceiveMACAddresses',
  'AllowedToReceiveVLANs',
  'AllowedToTransmitMACAddresses',
  'AllowedToTransmitVLANs',
  'BootOrder',
]);

/** CIM_SettingData properties common to every settings class (DSP1041, CIM 2.41). */
export interface SettingDataProperties {
  InstanceID?: string;
  ElementName?: string;
  Caption?: string;
  Description?: string;
  ChangeableType?: string;
  ConfigurationName?: string;
  Generation?: string;
  /** Any other property, by its DMTF (or vendor) name. */
  [property: string]: CimValue | undefined;
}

/** CIM_VirtualSystemSettingData (DSP1057 §10.x): the virtual system as a whole. */
export interface VssdProperties extends SettingDataProperties {
  VirtualSystemIdentifier?: string;
  VirtualSystemType?: string;
  Notes?: string[];
  CreationTime?: string;
  ConfigurationID?: string;
  AutomaticStartupAction?: string;
  AutomaticShutdownAction?: string;
  AutomaticRecoveryAction?: string;
}

/** CIM_ResourceAllocationSettingData and its SASD/EPASD subclasses' properties (DSP1041). */
export interface RasdProperties extends SettingDataProperties {
  ResourceType?: string;
  OtherResourceType?: string;
  ResourceSubType?: string;
  PoolID?: string;
  ConsumerVisibility?: string;
  HostResource?: string[];
  AllocationUnits?: string;
  VirtualQuantity?: string;
  VirtualQuantityUnits?: string;
  Reservation?: string;
  Limit?: string;
  Weight?: string;
  AutomaticAllocation?: string;
  AutomaticDeallocation?: string;
  Parent?: string;
  Connection?: string[];
  Address?: string;
  MappingBehavior?: string;
  AddressOnParent?: string;
}

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
