import { Type } from '@sinclair/typebox';
import type {
  HostLimits,
  RasdProperties,
  ResourceSetting,
  VirtualSystemDefinition,
  VssdProperties,
} from '../model/index.js';
import { Strict, typed, Uint64 } from './schema.js';

/**
 * Wire schemas of the model's types (src/model stays the one definition; these check the JSON shape of what
 * crosses a transport). A property bag is a map from a DMTF or vendor property name to a string or a list of
 * strings; the model's property schema (issue 10 item 1) says which names are lists and what values mean.
 * The bounds stop absurd requests before the model looks at them: they are far beyond any real definition.
 */

/** Properties in one settings instance, at most. A CIM 2.41 RASD declares about 50. */
export const MAX_PROPERTIES = 512;
/** Characters in one property value, at most (a long Description or an OVF property's value). */
export const MAX_VALUE_CHARS = 65_536;
/** Values in one array property (Connection, HostResource, Notes), at most. */
export const MAX_ARRAY_VALUES = 256;
/** Resources in one definition, at most (64 disks and 28 NICs with their controllers fit many times). */
export const MAX_RESOURCES = 4096;

const CimValue = Type.Union([
  Type.String({ maxLength: MAX_VALUE_CHARS }),
  Type.Array(Type.String({ maxLength: MAX_VALUE_CHARS }), { maxItems: MAX_ARRAY_VALUES }),
]);

const propertyBag = () =>
  Type.Record(Type.String({ minLength: 1, maxLength: 128 }), CimValue, { maxProperties: MAX_PROPERTIES });

/** CIM_VirtualSystemSettingData properties by name (DSP1057). */
export const VssdPropertiesSchema = typed<VssdProperties>(propertyBag());

/** CIM_ResourceAllocationSettingData (and SASD, EPASD) properties by name (DSP1041). */
export const RasdPropertiesSchema = typed<RasdProperties>(propertyBag());

/** One resource: its DMTF class and its properties. */
export const ResourceSettingSchema = typed<ResourceSetting>(
  Strict({
    cimClass: Type.Union([
      Type.Literal('CIM_ResourceAllocationSettingData'),
      Type.Literal('CIM_StorageAllocationSettingData'),
      Type.Literal('CIM_EthernetPortAllocationSettingData'),
    ]),
    properties: propertyBag(),
  }),
);

/**
 * A virtual system definition: what DefineSystem takes and an OVF VirtualHardwareSection carries.
 *
 * @example
 * Value.Check(VirtualSystemDefinitionSchema, { system: { ElementName: 'web1' }, resources: [] }); // true
 */
export const VirtualSystemDefinitionSchema = typed<VirtualSystemDefinition>(
  Strict({
    system: propertyBag(),
    resources: Type.Array(ResourceSettingSchema, { maxItems: MAX_RESOURCES }),
  }),
);

/** What the host gives one virtual system at most (model `HostLimits`). */
export const HostLimitsSchema = typed<HostLimits>(
  Type.Object({
    cpus: Type.Integer({ minimum: 0 }),
    memoryBytes: Uint64,
    nics: Type.Integer({ minimum: 0 }),
    disks: Type.Integer({ minimum: 0 }),
  }),
);
