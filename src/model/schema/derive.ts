import { PROPERTIES, type PropertyRow } from './properties.js';
import type { Carriage, Encoding, PropertySpec, SettingClass } from './types.js';

/** Each settings class with the classes it inherits from, nearest last (DSP1041: SASD and EPASD are RASDs). */
const LINEAGE: Readonly<Record<SettingClass, readonly SettingClass[]>> = {
  SettingData: ['SettingData'],
  VSSD: ['SettingData', 'VSSD'],
  RASD: ['SettingData', 'RASD'],
  SASD: ['SettingData', 'RASD', 'SASD'],
  EPASD: ['SettingData', 'RASD', 'EPASD'],
  PASD: ['SettingData', 'RASD', 'PASD'],
};

type Lineage<C extends SettingClass> = C extends 'VSSD'
  ? 'SettingData' | 'VSSD'
  : C extends 'RASD'
    ? 'SettingData' | 'RASD'
    : C extends 'SASD' | 'EPASD' | 'PASD'
      ? 'SettingData' | 'RASD' | C
      : 'SettingData';

/**
 * The typed properties of a settings class, derived from the schema: wire text, or a list of texts for an array
 * property. `PropertiesOf<'RASD'>` has `ResourceType?: string`, `HostResource?: string[]`, ...
 */
export type PropertiesOf<C extends SettingClass> = {
  [R in PropertyRow as R[1] extends Lineage<C> ? R[0] : never]?: R[2] extends `${string}[]`
    ? string[]
    : string;
};

/** The properties a class has: its own and those it inherits. */
export function propertiesOf(cls: SettingClass): readonly PropertySpec[] {
  const lineage = LINEAGE[cls];
  return PROPERTIES.filter((p) => lineage.includes(p.class));
}

/** A property of a class (own or inherited) by its DMTF name, case-sensitively as the schema spells it. */
export function propertySpec(cls: SettingClass, name: string): PropertySpec | undefined {
  return propertiesOf(cls).find((p) => p.name === name);
}

/**
 * The property names an OVF VirtualSystem (`VSSD`), Item (`RASD`), StorageItem (`SASD`) or EthernetPortItem
 * (`EPASD`) carries natively in OVF 1.x or 2.x, alphabetically as the DMTF XSDs list them. Writers that must
 * produce schema-valid descriptors keep to these; what else a definition has is folded, extended or dropped with
 * the carriage's reason.
 */
export function ovfItemProperties(gen: '1' | '2', cls: SettingClass): ReadonlySet<string> {
  const enc: Encoding = gen === '1' ? 'ovf1' : 'ovf2';
  return new Set(
    propertiesOf(cls)
      .filter((p) => p.carriage[enc] === 'native')
      .map((p) => p.name)
      .sort(),
  );
}

/** Properties that are arrays in the DMTF schema or Vessel's extensions (the rest are scalars). */
export const ARRAY_PROPERTIES: ReadonlySet<string> = new Set(
  PROPERTIES.filter((p) => p.array).map((p) => p.name),
);

/** Every DMTF settings property name of the schema (CIM_SettingData and the VSSD/RASD/SASD/EPASD/PASD family). */
export const CIM_PROPERTY_NAMES: ReadonlySet<string> = new Set(
  PROPERTIES.filter((p) => p.origin === 'dmtf').map((p) => p.name),
);

/**
 * The MOF declarations of Vessel's own properties of a class, for the body of its `Vessel_` subclass: typed,
 * with ValueMap and a Description, as CIM clients see them in GetClass.
 *
 * @example
 * vesselMof('VSSD'); // '[ValueMap {"bios", "efi"}, Description("...")] string Firmware;\n  [...] string BootOrder[];'
 */
export function vesselMof(cls: SettingClass): string {
  return PROPERTIES.filter((p) => p.class === cls && p.origin === 'vessel' && p.carriage.cim === 'native')
    .map((p) => {
      const q: string[] = [];
      if (p.valueMap) q.push(`ValueMap {${p.valueMap.map((v) => JSON.stringify(v)).join(', ')}}`);
      if (p.description) q.push(`Description(${JSON.stringify(p.description)})`);
      return `${q.length ? `[${q.join(', ')}] ` : ''}${p.type} ${p.name}${p.array ? '[]' : ''};`;
    })
    .join('\n  ');
}

/** Something about a property that an encoding or a reader should know. */
export interface PropertyFinding {
  property: string;
  /**
   * `UNKNOWN`: no settings class defines it (a vendor property: kept, but encodings may not carry it);
   * `NOT_CARRIED`: the encoding cannot carry it (the reason is the message); `ARRAY`: a list where the schema has
   * one value, or the reverse; `VALUE`: a value outside the property's ValueMap.
   */
  code: 'UNKNOWN' | 'NOT_CARRIED' | 'ARRAY' | 'VALUE';
  message: string;
}

/** The carriage's reason when an encoding cannot carry a property natively or by extension, else undefined. */
function notCarried(c: Carriage): string | undefined {
  if (c === 'native' || 'extension' in c) return undefined;
  return 'none' in c ? c.none : `it is folded into ${c.foldedInto}`;
}

/**
 * Checks a property bag against the schema (JSON and CIM input, writers before they encode): unknown names,
 * array-ness, ValueMaps, and, when `encoding` is given, what that encoding cannot carry. Never throws.
 *
 * @example
 * checkProperties({ Firmware: 'uefi', BootOrder: 'disk1' }, 'VSSD');
 * // [{ property: 'Firmware', code: 'VALUE', ... }, { property: 'BootOrder', code: 'ARRAY', ... }]
 */
export function checkProperties(
  props: Readonly<Record<string, unknown>>,
  cls: SettingClass,
  encoding?: Encoding,
): PropertyFinding[] {
  const out: PropertyFinding[] = [];
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined) continue;
    const p = propertySpec(cls, name);
    if (!p) {
      out.push({ property: name, code: 'UNKNOWN', message: `${name} is not a property of ${cls} settings` });
      continue;
    }
    if (Array.isArray(value) !== p.array) {
      out.push({
        property: name,
        code: 'ARRAY',
        message: p.array ? `${name} is a list of values, got one` : `${name} takes one value, got a list`,
      });
    }
    const values = Array.isArray(value) ? value : [value];
    const bad = p.valueMap ? values.filter((v) => typeof v !== 'string' || !p.valueMap!.includes(v)) : [];
    if (bad.length > 0) {
      out.push({
        property: name,
        code: 'VALUE',
        message: `${name} "${String(bad[0])}" is not one of ${p.valueMap!.join(', ')}`,
      });
    }
    const why = encoding === undefined ? undefined : notCarried(p.carriage[encoding]);
    if (why !== undefined)
      out.push({
        property: name,
        code: 'NOT_CARRIED',
        message: `${name} cannot be carried in ${encoding}: ${why}`,
      });
  }
  return out;
}
