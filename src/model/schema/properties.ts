import type { Carriage, CimType, Encoding, PropertySpec, PropertyUnit, SettingClass } from './types.js';

/**
 * The one property schema: every property of the model's settings classes with its DMTF name and CIM type
 * (CIM 2.41, ../shared/cim/dmtf-schema-2.41), array-ness, unit, value map, and how each encoding carries it:
 * OVF 1.x (DSP8023 1.1 and its CIM XSDs, ../shared/schemas/ovf1), OVF 2.x (CIM 2.x XSDs: Item, StorageItem,
 * EthernetPortItem), CIM (the Vessel_ classes) and JSON (the definition as it is). The OVF item lists,
 * ARRAY_PROPERTIES, the Vessel_ MOF extensions and the input checks derive from it (derive.ts); tests fail when
 * a property is missing from an encoding.
 */

/** [name, class, type (`[]` = array)]: the DMTF properties, in the order of their MOFs. */
const DMTF = [
  // CIM_ManagedElement and CIM_SettingData (CIM_SettingData.mof, CIM_ManagedElement.mof)
  ['InstanceID', 'SettingData', 'string'],
  ['ElementName', 'SettingData', 'string'],
  ['Caption', 'SettingData', 'string'],
  ['Description', 'SettingData', 'string'],
  ['ChangeableType', 'SettingData', 'uint16'],
  ['ConfigurationName', 'SettingData', 'string'],
  ['Generation', 'SettingData', 'uint64'],
  // CIM_VirtualSystemSettingData.mof
  ['VirtualSystemIdentifier', 'VSSD', 'string'],
  ['VirtualSystemType', 'VSSD', 'string'],
  ['Notes', 'VSSD', 'string[]'],
  ['CreationTime', 'VSSD', 'datetime'],
  ['ConfigurationID', 'VSSD', 'string'],
  ['ConfigurationDataRoot', 'VSSD', 'string'],
  ['ConfigurationFile', 'VSSD', 'string'],
  ['SnapshotDataRoot', 'VSSD', 'string'],
  ['SuspendDataRoot', 'VSSD', 'string'],
  ['SwapFileDataRoot', 'VSSD', 'string'],
  ['LogDataRoot', 'VSSD', 'string'],
  ['AutomaticStartupAction', 'VSSD', 'uint16'],
  ['AutomaticStartupActionDelay', 'VSSD', 'datetime'],
  ['AutomaticStartupActionSequenceNumber', 'VSSD', 'uint16'],
  ['AutomaticShutdownAction', 'VSSD', 'uint16'],
  ['AutomaticRecoveryAction', 'VSSD', 'uint16'],
  ['RecoveryFile', 'VSSD', 'string'],
  // CIM_ResourceAllocationSettingData.mof
  ['ResourceType', 'RASD', 'uint16'],
  ['OtherResourceType', 'RASD', 'string'],
  ['ResourceSubType', 'RASD', 'string'],
  ['PoolID', 'RASD', 'string'],
  ['ConsumerVisibility', 'RASD', 'uint16'],
  ['HostResource', 'RASD', 'string[]'],
  ['AllocationUnits', 'RASD', 'string'],
  ['VirtualQuantity', 'RASD', 'uint64'],
  ['Reservation', 'RASD', 'uint64'],
  ['Limit', 'RASD', 'uint64'],
  ['Weight', 'RASD', 'uint32'],
  ['AutomaticAllocation', 'RASD', 'boolean'],
  ['AutomaticDeallocation', 'RASD', 'boolean'],
  ['Parent', 'RASD', 'string'],
  ['Connection', 'RASD', 'string[]'],
  ['Address', 'RASD', 'string'],
  ['MappingBehavior', 'RASD', 'uint16'],
  ['AddressOnParent', 'RASD', 'string'],
  ['VirtualQuantityUnits', 'RASD', 'string'],
  // CIM_StorageAllocationSettingData.mof (VirtualQuantity, VirtualQuantityUnits, Reservation, Limit overridden)
  ['VirtualResourceBlockSize', 'SASD', 'uint64'],
  ['Access', 'SASD', 'uint16'],
  ['HostResourceBlockSize', 'SASD', 'uint64'],
  ['HostExtentStartingAddress', 'SASD', 'uint64'],
  ['HostExtentName', 'SASD', 'string'],
  ['HostExtentNameFormat', 'SASD', 'uint16'],
  ['OtherHostExtentNameFormat', 'SASD', 'string'],
  ['HostExtentNameNamespace', 'SASD', 'uint16'],
  ['OtherHostExtentNameNamespace', 'SASD', 'string'],
  // CIM_EthernetPortAllocationSettingData.mof
  ['DesiredVLANEndpointMode', 'EPASD', 'uint16'],
  ['OtherEndpointMode', 'EPASD', 'string'],
  ['AllowedPriorities', 'EPASD', 'uint16[]'],
  ['AllowedToReceiveMACAddresses', 'EPASD', 'string[]'],
  ['AllowedToReceiveVLANs', 'EPASD', 'uint16[]'],
  ['AllowedToTransmitMACAddresses', 'EPASD', 'string[]'],
  ['AllowedToTransmitVLANs', 'EPASD', 'uint16[]'],
  ['DefaultPortVID', 'EPASD', 'uint16'],
  ['DefaultPriority', 'EPASD', 'uint16'],
  ['GroupID', 'EPASD', 'uint32'],
  ['ManagerID', 'EPASD', 'uint32'],
  ['NetworkPortProfileID', 'EPASD', 'string'],
  ['NetworkPortProfileIDType', 'EPASD', 'uint16'],
  ['OtherNetworkPortProfileIDTypeInfo', 'EPASD', 'string'],
  ['PortCorrelationID', 'EPASD', 'string'],
  ['PortVID', 'EPASD', 'uint16'],
  ['Promiscuous', 'EPASD', 'boolean'],
  ['ReceiveBandwidthLimit', 'EPASD', 'uint64'],
  ['ReceiveBandwidthReservation', 'EPASD', 'uint64'],
  ['SourceMACFilteringEnabled', 'EPASD', 'boolean'],
  ['VSITypeID', 'EPASD', 'uint32'],
  ['VSITypeIDVersion', 'EPASD', 'uint8'],
  // CIM_ProcessorAllocationSettingData (CIM 2.26+; OVF 2 pasd:)
  ['InstructionSet', 'PASD', 'string'],
  ['InstructionSetExtensionName', 'PASD', 'string[]'],
  ['ProcessorArchitecture', 'PASD', 'string'],
] as const;

/** [name, class, type]: Vessel's own properties, declared on Vessel_VirtualSystemSettingData. */
const VESSEL = [
  ['Firmware', 'VSSD', 'string'],
  ['BootOrder', 'VSSD', 'string[]'],
  ['DiskMode', 'VSSD', 'string'],
  ['Metadata', 'VSSD', 'string[]'],
  ['MetadataTag', 'VSSD', 'string'],
] as const;

/** One row of the schema as written above: its literal name, class and type (for {@link PropertiesOf}). */
export type PropertyRow = (typeof DMTF)[number] | (typeof VESSEL)[number];

const NATIVE: Readonly<Record<Encoding, Carriage>> = {
  ovf1: 'native',
  ovf2: 'native',
  cim: 'native',
  json: 'native',
};

const NO_OVF1_ITEM = (element: string): Carriage => ({
  none: `OVF 1.x has no ${element}; a writer folds the resource into an Item and drops this property with a warning`,
});

/** How each class's properties travel, before the per-property exceptions below. */
const CLASS_CARRIAGE: Readonly<Record<SettingClass, Readonly<Record<Encoding, Carriage>>>> = {
  SettingData: NATIVE,
  VSSD: NATIVE,
  RASD: NATIVE,
  SASD: { ...NATIVE, ovf1: NO_OVF1_ITEM('StorageItem (CIM_StorageAllocationSettingData)') },
  EPASD: { ...NATIVE, ovf1: NO_OVF1_ITEM('EthernetPortItem (CIM_EthernetPortAllocationSettingData)') },
  PASD: {
    ovf1: { none: 'OVF 1.x has no processor allocation settings' },
    ovf2: { none: 'OVF 2.x pasd: elements stay extension XML on their Item; the model has no PASD class' },
    cim: { none: 'Vessel has no Vessel_ProcessorAllocationSettingData class' },
    json: { none: 'the model has no PASD class: a definition cannot hold these' },
  },
};

/** Per-property exceptions to the class's carriage, and what else each property says. */
const DETAILS: Readonly<Record<string, Partial<PropertySpec>>> = {
  Generation: {
    carriage: {
      ...NATIVE,
      ovf2: { none: 'not in the CIM 2.22+ XSDs of OVF 2.x' },
      cim: { none: 'not in CIM 2.41 (CIM_ManagedElement has no Generation): dropped' },
    },
    spec: 'DSP8023 1.1 CIM_VirtualSystemSettingData.xsd, CIM_ResourceAllocationSettingData.xsd',
  },
  AllocationUnits: { unit: 'punit', spec: 'CIM_ResourceAllocationSettingData.mof:149-164' },
  VirtualQuantity: { unit: 'VirtualQuantityUnits', spec: 'CIM_ResourceAllocationSettingData.mof:166-179' },
  Reservation: { unit: 'AllocationUnits' },
  Limit: { unit: 'AllocationUnits' },
  VirtualQuantityUnits: {
    unit: 'punit',
    carriage: { ...NATIVE, ovf1: { foldedInto: 'AllocationUnits' } },
    spec: 'CIM_ResourceAllocationSettingData.mof:270-290 (absent from the OVF 1.x RASD XSD)',
  },
  VirtualResourceBlockSize: { unit: { fixed: 'byte' } },
  HostResourceBlockSize: { unit: { fixed: 'byte' } },
  Firmware: {
    valueMap: ['bios', 'efi'],
    carriage: {
      ovf1: { extension: 'vmw:Config vmw:key="firmware" on the VirtualHardwareSection' },
      ovf2: { extension: 'vmw:Config vmw:key="firmware" on the VirtualHardwareSection' },
      cim: 'native',
      json: 'native',
    },
    spec: 'Vessel extension (issue 10 §4.7); VMware and virt-v2v read vmw:Config firmware',
    description: 'The firmware the virtual system boots with: bios or efi (UEFI).',
  },
  BootOrder: {
    carriage: {
      ovf1: {
        extension:
          'vessel:BootOrder ovf:required="false" (one vessel:Device per InstanceID) on the VirtualHardwareSection',
      },
      ovf2: {
        extension:
          'BootDeviceSection: CIM_BootConfigSetting with one CIM_BootSourceSetting per device (its InstanceID)',
      },
      cim: 'native',
      json: 'native',
    },
    spec: 'Vessel extension (issue 10 §4.7); OVF 2.x BootDeviceSection (DSP8023 2.0 BootDeviceSection_Type)',
    description: 'The InstanceIDs of the drives and network adapters to boot from, first first.',
  },
  DiskMode: {
    valueMap: ['overlay', 'direct'],
    carriage: {
      ovf1: { none: "how a host writes a system's disks is the host's choice, never a package's" },
      ovf2: { none: "how a host writes a system's disks is the host's choice, never a package's" },
      cim: 'native',
      json: 'native',
    },
    spec: 'Vessel extension (issue 11): overlay (default) or direct',
    description:
      'How the system writes its disks: overlay (a qcow2 overlay of its own over each image, which stays unchanged) or direct (the images themselves, in a storage pool).',
  },
  Metadata: {
    carriage: {
      ovf1: {
        none: "metadata sits beside a definition (a deploy's ovf.* keys come from the package's sections)",
      },
      ovf2: {
        none: "metadata sits beside a definition (a deploy's ovf.* keys come from the package's sections)",
      },
      cim: 'native',
      json: { none: 'metadata sits beside the definition: the Api carries it as systems.metadata' },
    },
    spec: 'Vessel extension (issue 12): systems.metadata as key=value entries, % escapes (README)',
    description:
      "The metadata of the virtual system (free-form text beside its settings, e.g. a deploy's ovf.* keys), one key=value entry per key, sorted by key. In a key, %, = and characters XML cannot carry are written %XX (%uXXXX above U+00FF); in a value, % and those characters. ModifySystemSettings sets and removes only the keys that differ; password-typed OVF property values are never shown.",
  },
  MetadataTag: {
    carriage: {
      ovf1: { none: 'a tag of the metadata, which no package carries' },
      ovf2: { none: 'a tag of the metadata, which no package carries' },
      cim: 'native',
      json: { none: 'a tag of the metadata, which is not part of a definition' },
    },
    spec: 'Vessel extension (issue 12): the same tag as the REST ETag of /systems/{id}/metadata',
    description:
      'A tag of the Metadata as read (32 hex digits). Given with Metadata to ModifySystemSettings, the change is made only if the metadata still has this tag (else the call fails and changes nothing), so that concurrent editors do not undo each other; MetadataTag without Metadata asks for no metadata (WS-Man omits an empty array).',
  },
};

function spec(row: PropertyRow, origin: 'dmtf' | 'vessel'): PropertySpec {
  const [name, cls, t] = row;
  const array = t.endsWith('[]');
  const d = DETAILS[name] ?? {};
  const out: PropertySpec = {
    name,
    class: cls,
    type: (array ? t.slice(0, -2) : t) as CimType,
    array,
    origin,
    carriage: d.carriage ?? CLASS_CARRIAGE[cls],
    spec: d.spec ?? (origin === 'dmtf' ? `CIM 2.41 ${CIM_CLASS[cls]}.mof` : 'Vessel extension'),
  };
  if (d.valueMap !== undefined) out.valueMap = d.valueMap;
  if (d.unit !== undefined) out.unit = d.unit as PropertyUnit;
  if (d.description !== undefined) out.description = d.description;
  return out;
}

/** The DMTF class that defines each settings class's own properties. */
export const CIM_CLASS: Readonly<Record<SettingClass, string>> = {
  SettingData: 'CIM_SettingData',
  VSSD: 'CIM_VirtualSystemSettingData',
  RASD: 'CIM_ResourceAllocationSettingData',
  SASD: 'CIM_StorageAllocationSettingData',
  EPASD: 'CIM_EthernetPortAllocationSettingData',
  PASD: 'CIM_ProcessorAllocationSettingData',
};

/** Every property of the model's settings classes (see the file's comment). */
export const PROPERTIES: readonly PropertySpec[] = [
  ...DMTF.map((r) => spec(r, 'dmtf')),
  ...VESSEL.map((r) => spec(r, 'vessel')),
];
