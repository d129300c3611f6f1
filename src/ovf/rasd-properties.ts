/**
 * The properties the DMTF CIM_ResourceAllocationSettingData XSD used by OVF 1.x (DSP8023 1.1, CIM 2.x) names, in
 * its order; an OVF 1.x Item that carries any other property is not schema-valid. Writers that must produce
 * schema-valid descriptors (export, `vessel convert --to ovf`) keep to these.
 */
export const OVF1_RASD_PROPERTIES: ReadonlySet<string> = new Set([
  'Address',
  'AddressOnParent',
  'AllocationUnits',
  'AutomaticAllocation',
  'AutomaticDeallocation',
  'Caption',
  'ChangeableType',
  'ConfigurationName',
  'Connection',
  'ConsumerVisibility',
  'Description',
  'ElementName',
  'Generation',
  'HostResource',
  'InstanceID',
  'Limit',
  'MappingBehavior',
  'OtherResourceType',
  'Parent',
  'PoolID',
  'Reservation',
  'ResourceSubType',
  'ResourceType',
  'VirtualQuantity',
  'Weight',
]);
