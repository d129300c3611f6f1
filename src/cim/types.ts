/**
 * The CIM object model shared by every CIM encoding (CIM-XML, WS-Man, MOF): instances, instance names (object
 * paths), classes with their properties, methods and qualifiers (DSP0004). Values are kept in wire form, as the
 * one model (src/model/settings.ts) keeps them: decimal text for numbers, `true`/`false` for booleans, the CIM
 * datetime text for datetimes.
 */

/** The CIM intrinsic data types (DSP0004 §5.2), plus `reference`. */
export type CimType =
  | 'string'
  | 'boolean'
  | 'char16'
  | 'datetime'
  | 'uint8'
  | 'sint8'
  | 'uint16'
  | 'sint16'
  | 'uint32'
  | 'sint32'
  | 'uint64'
  | 'sint64'
  | 'real32'
  | 'real64'
  | 'reference';

/** Every CIM type name, for validation. */
export const CIM_TYPES: ReadonlySet<string> = new Set<CimType>([
  'string',
  'boolean',
  'char16',
  'datetime',
  'uint8',
  'sint8',
  'uint16',
  'sint16',
  'uint32',
  'sint32',
  'uint64',
  'sint64',
  'real32',
  'real64',
  'reference',
]);

/** True for the integer and real types, whose key values are written with VALUETYPE="numeric". */
export function isNumericType(t: CimType): boolean {
  return t !== 'string' && t !== 'boolean' && t !== 'char16' && t !== 'datetime' && t !== 'reference';
}

/**
 * The path of an instance: its class and key values, and optionally its namespace and host.
 *
 * @example
 * const vm: CimInstanceName = { className: 'Vessel_ComputerSystem',
 *   keys: { CreationClassName: 'Vessel_ComputerSystem', Name: 'web1' } };
 */
export interface CimInstanceName {
  className: string;
  /** Key property name to value; a reference-typed key holds another instance name. */
  keys: Record<string, string | CimInstanceName>;
  /** e.g. `root/virtualization`; absent for a path local to the namespace of the request. */
  namespace?: string | undefined;
  host?: string | undefined;
}

/** One scalar value: text in wire form, a reference, or an embedded instance. */
export type CimScalar = string | CimInstanceName | CimInstance;

/** A property or parameter value; arrays are homogeneous. A NULL value is represented by leaving it out. */
export type CimValue = CimScalar | CimScalar[];

/**
 * An instance: its class, its property values (absent = NULL) and, when known, its path.
 *
 * @example
 * const i: CimInstance = { className: 'Vessel_VirtualSystemSettingData',
 *   properties: { InstanceID: 'Vessel:web1', ElementName: 'web1' } };
 */
export interface CimInstance {
  className: string;
  properties: Record<string, CimValue | undefined>;
  path?: CimInstanceName | undefined;
}

/** A qualifier value attached to a class, property, method or parameter. */
export interface CimQualifier {
  name: string;
  type: CimType;
  value: string | string[] | undefined;
  /** Flavors as written or as declared: whether it propagates to subclasses, can be overridden, translated. */
  toSubclass?: boolean;
  overridable?: boolean;
  translatable?: boolean;
}

/** A property (or reference) declaration of a class. */
export interface CimPropertyDecl {
  name: string;
  type: CimType;
  isArray: boolean;
  /** Fixed array size, when the declaration has one. */
  arraySize?: number | undefined;
  /** For references: the class referred to. */
  referenceClass?: string | undefined;
  qualifiers: CimQualifier[];
  /** Default value in wire form, when the declaration has one. */
  defaultValue?: string | string[] | undefined;
  /** The class that first declared the property (filled in by the repository). */
  classOrigin?: string | undefined;
  /** True when inherited unchanged from a superclass (filled in by the repository). */
  propagated?: boolean | undefined;
}

/** A method parameter declaration. */
export interface CimParameterDecl {
  name: string;
  type: CimType;
  isArray: boolean;
  arraySize?: number | undefined;
  referenceClass?: string | undefined;
  qualifiers: CimQualifier[];
}

/** A method declaration. */
export interface CimMethodDecl {
  name: string;
  returnType: CimType;
  parameters: CimParameterDecl[];
  qualifiers: CimQualifier[];
  classOrigin?: string | undefined;
  propagated?: boolean | undefined;
}

/** A class declaration, local (as written) or resolved (with inherited members). */
export interface CimClassDecl {
  name: string;
  superClass?: string | undefined;
  qualifiers: CimQualifier[];
  properties: CimPropertyDecl[];
  methods: CimMethodDecl[];
}

/** The value of a qualifier by (case-insensitive) name, or undefined. */
export function qualifierValue(
  qualifiers: readonly CimQualifier[],
  name: string,
): string | string[] | undefined {
  const n = name.toLowerCase();
  for (const q of qualifiers) if (q.name.toLowerCase() === n) return q.value;
  return undefined;
}

/** True when a boolean qualifier (Key, Abstract, IN, ...) is present and true. */
export function hasQualifier(qualifiers: readonly CimQualifier[], name: string): boolean {
  const n = name.toLowerCase();
  for (const q of qualifiers) if (q.name.toLowerCase() === n) return q.value !== 'false';
  return false;
}

/** True when a value is an instance name (reference) rather than text or an embedded instance. */
export function isInstanceName(v: unknown): v is CimInstanceName {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'keys' in v;
}

/** True when a value is an embedded instance. */
export function isInstance(v: unknown): v is CimInstance {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'properties' in v;
}
