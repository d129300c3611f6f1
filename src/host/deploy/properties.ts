import {
  findSections,
  type OvfContent,
  type OvfProductSection,
  type OvfProperty,
  parseQualifiers,
  propertyType,
  propertyValueError,
  qualifierViolation,
} from '../../ovf/index.js';

/**
 * ProductSection properties at deploy time (DSP0243 §9.5.1): the key each has in the OVF environment, the value
 * it takes (given with `--prop`, else its value for the deployment option, else its default), and the checks of
 * that value against its type and qualifiers.
 */

/** One property of a content node, with the key it has in the environment. */
interface PropertySlot {
  owner: OvfContent;
  section: OvfProductSection;
  property: OvfProperty;
  /** `key`, or `class.key[.instance]` for a classed ProductSection (DSP0243 §9.5.1). */
  key: string;
}

/** What {@link resolveProperties} found: the values per content node, and what is wrong. */
export interface ResolvedProperties {
  /** Values by content node, in descriptor order. */
  values: Map<OvfContent, { key: string; value: string }[]>;
  /** Problems that refuse the deploy (a missing or invalid value, an unknown key). */
  errors: string[];
  /** Problems of values the user cannot change (non-configurable defaults). */
  warnings: string[];
  /** The keys of password properties (`ovf:password="true"`): their values are never stored or printed. */
  secrets: Set<string>;
}

/** What Vessel prints in place of a password property's value. */
export const SECRET_MASK = '********';

/** The environment key of a property in its ProductSection. */
function propertyKey(section: OvfProductSection, p: OvfProperty): string {
  if (section.class === undefined || section.class === '') return p.key;
  return `${section.class}.${p.key}${section.instance ? `.${section.instance}` : ''}`;
}

/** Every property of the given content nodes, in order. */
export function propertySlots(contents: readonly OvfContent[]): PropertySlot[] {
  const out: PropertySlot[] = [];
  for (const owner of contents) {
    for (const section of findSections(owner.sections, 'ProductSection')) {
      for (const e of section.entries) {
        if (e.entry === 'Property') out.push({ owner, section, property: e, key: propertyKey(section, e) });
      }
    }
  }
  return out;
}

const truthy = (v: string | undefined) => v !== undefined && /^(true|1)$/i.test(v.trim());

/** True for a password property (`ovf:password`, an xs:boolean, DSP0243 §9.5.1). */
export function isSecret(p: OvfProperty): boolean {
  return truthy(p.password);
}

/**
 * The keys of the password properties of `contents`: the values a deploy keeps only in the OVF environment CD.
 */
export function secretKeys(contents: readonly OvfContent[]): Set<string> {
  return new Set(
    propertySlots(contents)
      .filter((s) => isSecret(s.property))
      .map((s) => s.key),
  );
}

/**
 * The property values with each password's replaced by {@link SECRET_MASK}: what the host stores (metadata) and
 * prints. The key stays, so that an export can say the password given at deploy is not exported.
 */
export function maskSecrets(
  values: Readonly<Record<string, string>>,
  secrets: ReadonlySet<string>,
): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, secrets.has(k) ? SECRET_MASK : v]));
}

/**
 * A problem of a password's value said without the value: the checks' messages start with the value ("VALUE"
 * is ...), which becomes "the value"; any other message is replaced by a general one.
 */
function secretProblem(p: OvfProperty, value: string, problem: string): string {
  for (const shown of [`"${value}"`, value, value.trim()]) {
    if (shown !== '' && problem.startsWith(`${shown} `) && !problem.slice(shown.length).includes(value))
      return `the value${problem.slice(shown.length)}`;
  }
  return `the value does not fit its type ${p.type}${p.qualifiers ? ` and qualifiers ${p.qualifiers}` : ''}`;
}

/** Why `value` is not acceptable for the property (type, then each qualifier), or undefined. */
export function propertyProblem(p: OvfProperty, value: string): string | undefined {
  const t = propertyType(p.type);
  if (t === undefined) return undefined; // an unknown type constrains nothing Vessel can check
  const bad = propertyValueError(t, value);
  if (bad !== undefined) return bad;
  if (p.qualifiers === undefined) return undefined;
  let qualifiers: ReturnType<typeof parseQualifiers>;
  try {
    qualifiers = parseQualifiers(p.qualifiers);
  } catch {
    return undefined; // unreadable qualifiers are the validator's finding, not a reason to refuse a value
  }
  for (const q of qualifiers) {
    const v = qualifierViolation(t, q, value);
    if (v !== undefined) return v;
  }
  return undefined;
}

/**
 * The value of every property of `contents` for a deployment option, with the user's values applied. A value
 * given for a key no property has, or for a property that is not user-configurable, is an error; so is a
 * user-configurable property that ends up without a value, or with a value its type or qualifiers reject.
 *
 * @example
 * const r = resolveProperties([system], 'small', { hostname: 'web1' });
 * r.errors; // [] when every value is fine
 */
export function resolveProperties(
  contents: readonly OvfContent[],
  configuration: string | undefined,
  given: Readonly<Record<string, string>>,
): ResolvedProperties {
  const slots = propertySlots(contents);
  const out: ResolvedProperties = { values: new Map(), errors: [], warnings: [], secrets: new Set() };
  const keys = new Set(slots.map((s) => s.key));
  for (const k of Object.keys(given)) {
    if (!keys.has(k)) {
      out.errors.push(
        `The package has no property "${k}"${keys.size ? ` (its properties: ${[...keys].join(', ')})` : ''}`,
      );
    }
  }
  for (const s of slots) {
    const p = s.property;
    const configurable = truthy(p.userConfigurable);
    const label = p.label?.text ? ` (${p.label.text})` : '';
    let value: string | undefined;
    if (Object.hasOwn(given, s.key)) {
      if (!configurable) {
        out.errors.push(`Property "${s.key}"${label} is not user-configurable; it cannot be set`);
        continue;
      }
      value = given[s.key];
    } else {
      const forConfig =
        configuration === undefined
          ? undefined
          : p.values.find((v) => (v.configuration ?? '').split(/\s+/).includes(configuration));
      value = forConfig?.value ?? p.value;
    }
    if (value === undefined) {
      if (configurable) {
        out.errors.push(
          `Property "${s.key}"${label} has no default and must be given: --prop ${s.key}=VALUE`,
        );
        continue;
      }
      value = '';
    }
    const secret = isSecret(p);
    if (secret) out.secrets.add(s.key);
    const found = propertyProblem(p, value);
    if (found !== undefined) {
      const problem = secret && value !== '' ? secretProblem(p, value, found) : found;
      const msg = `Property "${s.key}"${label} (${p.type}${p.qualifiers ? ` ${p.qualifiers}` : ''}): ${problem}`;
      if (configurable) out.errors.push(msg);
      else out.warnings.push(msg);
    }
    const list = out.values.get(s.owner) ?? [];
    list.push({ key: s.key, value });
    out.values.set(s.owner, list);
  }
  return out;
}
