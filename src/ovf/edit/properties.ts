import { OvfError } from '../errors.js';
import {
  type PropertyType,
  parseQualifiers,
  propertyType,
  propertyValueError,
  type Qualifier,
  qualifierTypeError,
  qualifierViolation,
} from '../qualifiers.js';
import type { OvfContent, OvfProperty } from '../types.js';
import { ext } from './core.js';
import { productSection } from './edit.js';

/**
 * ProductSection properties (DSP0243 §9.5.1), added, changed and removed like COT's edit-properties: a value is
 * checked against the property's type and qualifiers before anything changes.
 */

/** A property to add or change; `undefined` fields keep their current value. */
export interface PropertyFields {
  type?: string;
  value?: string;
  qualifiers?: string;
  userConfigurable?: boolean;
  password?: boolean;
  label?: string;
  description?: string;
}

/** COT's boolean spellings (true/1/t/y/yes, false/0/f/n/no), written as xs:boolean's canonical `true`/`false`. */
function booleanValue(key: string, value: string): string {
  const v = value.trim().toLowerCase();
  if (['true', '1', 't', 'y', 'yes'].includes(v)) return 'true';
  if (['false', '0', 'f', 'n', 'no'].includes(v)) return 'false';
  throw new OvfError('OVF_EDIT', `Property "${key}" is a boolean; "${value}" is neither true nor false`, {
    hint: 'Use true or false (1/0, yes/no are read too)',
  });
}

/**
 * The value a property may take, checked against its type and qualifiers (DSP0243 §9.5.1): a whole number in
 * range for uint/sint types, a number for reals, a boolean (normalised as COT does), MinLen/MaxLen, MinValue/
 * MaxValue, ValueMap. Throws `OVF_EDIT` saying which rule the value breaks.
 */
function checkedValue(key: string, type: string, qualifiers: string | undefined, value: string): string {
  const t = propertyType(type);
  if (t === undefined)
    throw new OvfError('OVF_EDIT', `Property "${key}" has type "${type}", which is no OVF property type`, {
      hint: 'Types: string, boolean, uint8..uint64, sint8..sint64, real32, real64',
    });
  const v = t.kind === 'boolean' ? booleanValue(key, value) : value;
  const typeError = propertyValueError(t, v);
  if (typeError !== undefined) throw new OvfError('OVF_EDIT', `Property "${key}" (${t.cim}): ${typeError}`);
  for (const q of readQualifiers(key, t, qualifiers)) {
    const why = qualifierViolation(t, q, v);
    if (why !== undefined) throw new OvfError('OVF_EDIT', `Property "${key}": ${why}`);
  }
  return v;
}

function readQualifiers(key: string, t: PropertyType, text: string | undefined): Qualifier[] {
  if (text === undefined || text.trim() === '') return [];
  let qs: Qualifier[];
  try {
    qs = parseQualifiers(text);
  } catch (e) {
    throw new OvfError(
      'OVF_EDIT',
      `Property "${key}": qualifiers "${text}" do not read: ${(e as Error).message}`,
      {
        hint: 'e.g. MinLen(1) MaxLen(64), ValueMap{"a","b"}, MinValue(1) MaxValue(10)',
      },
    );
  }
  for (const q of qs) {
    const why = qualifierTypeError(t, q);
    if (why !== undefined) throw new OvfError('OVF_EDIT', `Property "${key}": ${why}`);
  }
  return qs;
}

/**
 * Adds a property, or changes the one with that key (DSP0243 §9.5.1). A new property needs a type. The result
 * is checked: the type must be an OVF property type, the qualifiers must read and fit it, and the value (when one
 * is given, or the type or qualifiers change under a value) must be of the type and meet the qualifiers; a
 * boolean is written `true` or `false`. Nothing changes when a check fails.
 */
export function setProperty(
  system: OvfContent,
  key: string,
  fields: PropertyFields,
  productClass?: string,
): OvfProperty {
  if (!/^[A-Za-z0-9_.\-:]+$/.test(key))
    throw new OvfError('OVF_EDIT', `"${key}" is not a valid property key (letters, digits, _ . - :)`);
  const existing = findProperty(system, key);
  if (!existing && !fields.type)
    throw new OvfError('OVF_EDIT', `Property "${key}" does not exist; give its type to add it`, {
      hint: `e.g. --property-type ${key}=string`,
    });
  const type = fields.type ?? existing!.type;
  const qualifiers =
    fields.qualifiers === undefined
      ? existing?.qualifiers
      : fields.qualifiers === ''
        ? undefined
        : fields.qualifiers;
  const current = fields.value ?? existing?.value;
  const retyped = fields.type !== undefined || fields.qualifiers !== undefined;
  let value = fields.value;
  if (fields.value !== undefined || (retyped && current !== undefined && current !== ''))
    value = checkedValue(key, type, qualifiers, current ?? '');
  else readQualifiers(key, propertyType(type) ?? { cim: type, kind: 'string', alias: false }, qualifiers);
  let p = existing;
  if (!p) {
    p = { entry: 'Property', key, type, values: [], ...ext() };
    productSection(system, productClass).entries.push(p);
  }
  p.type = type;
  p.qualifiers = qualifiers;
  if (value !== undefined) p.value = value;
  if (fields.userConfigurable !== undefined) p.userConfigurable = String(fields.userConfigurable);
  if (fields.password !== undefined) p.password = fields.password ? 'true' : undefined;
  if (fields.label !== undefined) p.label = { text: fields.label };
  if (fields.description !== undefined) p.description = { text: fields.description };
  return p;
}

/**
 * The property with that key in any ProductSection of the system; `class.key` (DSP0243 §9.5.1, how properties of a
 * classed ProductSection are named in the OVF environment) is accepted too.
 */
export function findProperty(system: OvfContent, key: string): OvfProperty | undefined {
  for (const s of system.sections) {
    if (s.kind !== 'ProductSection') continue;
    for (const e of s.entries) {
      if (e.entry !== 'Property') continue;
      const full = s.class ? `${s.class}.${e.key}${s.instance ? `.${s.instance}` : ''}` : e.key;
      if (e.key === key || full === key) return e;
    }
  }
  return undefined;
}

/** Removes a property by key from every ProductSection of the system. */
export function removeProperty(system: OvfContent, key: string): void {
  let removed = false;
  for (const s of system.sections) {
    if (s.kind !== 'ProductSection') continue;
    const before = s.entries.length;
    s.entries = s.entries.filter((e) => !(e.entry === 'Property' && e.key === key));
    removed ||= s.entries.length !== before;
  }
  if (!removed) throw new OvfError('OVF_EDIT', `No property has the key "${key}"`);
}
