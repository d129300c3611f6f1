/** The shape of the one property schema (see properties.ts for the table itself). */

/** CIM intrinsic types a settings property has (DSP0004 §5.2); values stay wire text in the model. */
export type CimType = 'string' | 'boolean' | 'uint8' | 'uint16' | 'uint32' | 'uint64' | 'datetime';

/**
 * The settings classes of the model, each with its parent: SettingData (CIM_SettingData + CIM_ManagedElement)
 * ← VSSD (CIM_VirtualSystemSettingData), RASD (CIM_ResourceAllocationSettingData) ← SASD (Storage), EPASD
 * (EthernetPort), PASD (Processor, which the model has no class for).
 */
export type SettingClass = 'SettingData' | 'VSSD' | 'RASD' | 'SASD' | 'EPASD' | 'PASD';

/** The encodings of a definition that the schema states carriage for. */
export type Encoding = 'ovf1' | 'ovf2' | 'cim' | 'json';

/**
 * How an encoding carries a property: natively (as itself), as a vendor extension element, folded into another
 * property (its meaning survives, its text does not), or not at all (`none` says why: writers warn with it).
 */
export type Carriage = 'native' | { extension: string } | { foldedInto: string } | { none: string };

/** What unit governs a property's number, or that the property is itself a DSP0004 programmatic unit. */
export type PropertyUnit = 'AllocationUnits' | 'VirtualQuantityUnits' | 'punit' | { fixed: string };

/** One property of one settings class, with its DMTF name and type and how each encoding carries it. */
export interface PropertySpec {
  name: string;
  class: SettingClass;
  type: CimType;
  array: boolean;
  /** `dmtf`: a CIM schema property; `vessel`: Vessel's extension (declared on the Vessel_ subclass). */
  origin: 'dmtf' | 'vessel';
  /** The values a string property may take (its CIM ValueMap). */
  valueMap?: readonly string[];
  unit?: PropertyUnit;
  carriage: Readonly<Record<Encoding, Carriage>>;
  /** Where the definition is: `CIM_ResourceAllocationSettingData.mof` or an issue/spec section. */
  spec: string;
  /** One line for the MOF Description of Vessel's own properties. */
  description?: string;
}
