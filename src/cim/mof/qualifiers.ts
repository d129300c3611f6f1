import type { CimType } from '../types.js';

/** The declared type and flavors of a qualifier (DSP0004 §5.6). */
interface QualifierType {
  name: string;
  type: CimType;
  isArray: boolean;
  /** ToSubclass (true) or Restricted (false). */
  toSubclass: boolean;
  /** EnableOverride (true) or DisableOverride (false). */
  overridable: boolean;
  translatable: boolean;
}

// name: type, array, toSubclass, overridable, translatable  (DSP0004 Annex C standard qualifiers)
const TABLE: Array<[string, CimType, boolean, boolean, boolean, boolean]> = [
  ['Abstract', 'boolean', false, false, true, false],
  ['Aggregate', 'boolean', false, true, false, false],
  ['Aggregation', 'boolean', false, true, false, false],
  ['ArrayType', 'string', false, true, false, false],
  ['Association', 'boolean', false, true, false, false],
  ['BitMap', 'string', true, true, true, false],
  ['BitValues', 'string', true, true, true, true],
  ['ClassConstraint', 'string', true, true, true, false],
  ['Composition', 'boolean', false, true, false, false],
  ['Counter', 'boolean', false, true, true, false],
  ['Deprecated', 'string', true, false, true, false],
  ['Description', 'string', false, true, true, true],
  ['DisplayName', 'string', false, true, true, true],
  ['EmbeddedInstance', 'string', false, true, true, false],
  ['EmbeddedObject', 'boolean', false, true, false, false],
  ['Exception', 'boolean', false, true, false, false],
  ['Experimental', 'boolean', false, false, true, false],
  ['Gauge', 'boolean', false, true, true, false],
  ['In', 'boolean', false, true, false, false],
  ['Indication', 'boolean', false, true, false, false],
  ['IsPUnit', 'boolean', false, true, true, false],
  ['Key', 'boolean', false, true, false, false],
  ['MappingStrings', 'string', true, true, true, false],
  ['Max', 'uint32', false, true, true, false],
  ['MaxLen', 'uint32', false, true, true, false],
  ['MaxValue', 'sint64', false, true, true, false],
  ['MethodConstraint', 'string', true, true, true, false],
  ['Min', 'uint32', false, true, true, false],
  ['MinLen', 'uint32', false, true, true, false],
  ['MinValue', 'sint64', false, true, true, false],
  ['ModelCorrespondence', 'string', true, true, true, false],
  ['NullValue', 'string', false, true, false, false],
  ['OctetString', 'boolean', false, true, false, false],
  ['Out', 'boolean', false, true, false, false],
  ['Override', 'string', false, false, true, false],
  ['Propagated', 'string', false, true, false, false],
  ['PropertyConstraint', 'string', true, true, true, false],
  ['PUnit', 'string', false, true, true, false],
  ['Read', 'boolean', false, true, true, false],
  ['Reference', 'string', false, true, true, false],
  ['Required', 'boolean', false, true, false, false],
  ['Static', 'boolean', false, true, false, false],
  ['Terminal', 'boolean', false, true, true, false],
  ['UMLPackagePath', 'string', false, true, true, false],
  ['Units', 'string', false, true, true, true],
  ['ValueMap', 'string', true, true, true, false],
  ['Values', 'string', true, true, true, true],
  ['Version', 'string', false, false, true, true],
  ['Weak', 'boolean', false, true, false, false],
  ['Write', 'boolean', false, true, true, false],
];

const BY_NAME: ReadonlyMap<string, QualifierType> = new Map(
  TABLE.map(([name, type, isArray, toSubclass, overridable, translatable]) => [
    name.toLowerCase(),
    { name, type, isArray, toSubclass, overridable, translatable },
  ]),
);

/**
 * The declaration of a standard qualifier by case-insensitive name, or undefined for a vendor qualifier.
 *
 * @example
 * qualifierType('key'); // { name: 'Key', type: 'boolean', isArray: false, toSubclass: true, ... }
 */
export function qualifierType(name: string): QualifierType | undefined {
  return BY_NAME.get(name.toLowerCase());
}
