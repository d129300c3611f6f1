import {
  isKnownQualifier,
  type PropertyType,
  parseQualifiers,
  propertyType,
  propertyValueError,
  type Qualifier,
  qualifierTypeError,
  qualifierViolation,
} from '../qualifiers.js';
import type { Located, OvfProductSection, OvfProperty } from '../types.js';
import { describeContent, isXsBoolean, type ValidationContext } from './context.js';

/**
 * ProductSection (DSP0243 §9.5): one section per ovf:class/ovf:instance in a system, property keys present and
 * unique, types known, values (default and per configuration) of their type and within their qualifiers, icons
 * and Value configurations resolve.
 */
export function checkProducts(ctx: ValidationContext): void {
  const classes = new Map<object, Map<string, number | undefined>>();
  for (const { section: s, owner } of ctx.sections) {
    if (s.kind !== 'ProductSection') continue;
    const scope = owner === undefined ? 'the Envelope' : describeContent(owner);
    const key = `${s.class ?? ''}\u0000${s.instance ?? ''}`;
    const seen = classes.get(owner ?? ctx.env) ?? new Map<string, number | undefined>();
    classes.set(owner ?? ctx.env, seen);
    if (seen.has(key)) {
      ctx.report(
        'OVF_DUPLICATE_PRODUCT_SECTION',
        s,
        `${scope} has two ProductSections with ovf:class="${s.class ?? ''}" and ovf:instance="${s.instance ?? ''}" (the first on line ${seen.get(key) ?? '?'})`,
        'Property keys are qualified by class and instance; give each ProductSection its own.',
      );
    } else seen.set(key, s.line);
    for (const icon of s.icons) {
      if (icon.fileRef === '') ctx.report('OVF_MISSING_ATTRIBUTE', icon, 'An Icon has no ovf:fileRef');
      else if (!ctx.files.has(icon.fileRef)) {
        ctx.report(
          'OVF_UNRESOLVED_FILE',
          icon,
          `Icon references file "${icon.fileRef}", which is not in References`,
        );
      }
    }
    checkProperties(ctx, s);
  }
}

function checkProperties(ctx: ValidationContext, s: OvfProductSection): void {
  const keys = new Map<string, number | undefined>();
  const dotted: OvfProperty[] = [];
  for (const p of s.entries) {
    if (p.entry !== 'Property') continue;
    if (p.key === '') ctx.report('OVF_MISSING_ATTRIBUTE', p, 'A Property has no ovf:key');
    else if (keys.has(p.key)) {
      ctx.report(
        'OVF_DUPLICATE_ID',
        p,
        `Property key "${p.key}" is used twice in one ProductSection (the first on line ${keys.get(p.key) ?? '?'})`,
      );
    } else {
      keys.set(p.key, p.line);
      if (/[.:]/.test(p.key)) dotted.push(p);
    }
    for (const [attr, v] of [
      ['userConfigurable', p.userConfigurable],
      ['password', p.password],
    ] as const) {
      if (v !== undefined && !isXsBoolean(v)) {
        ctx.report('OVF_ATTRIBUTE_INVALID', p, `Property "${p.key}" has ovf:${attr}="${v}", not a boolean`);
      }
    }
    for (const v of p.values) {
      for (const c of (v.configuration ?? '').split(/\s+/).filter(Boolean)) {
        if (!ctx.configurations.has(c)) {
          ctx.report(
            'OVF_UNRESOLVED_CONFIGURATION',
            v,
            `Property "${p.key}" has a Value for configuration "${c}", which DeploymentOptionSection does not define`,
          );
        }
      }
    }
    checkTyped(ctx, p);
  }
  const first = dotted[0];
  if (first !== undefined) {
    const more = dotted.length > 1 ? ` (and ${dotted.length - 1} more in this ProductSection)` : '';
    ctx.report(
      'OVF_PROPERTY_KEY_CHARS',
      first,
      `Property key "${first.key}" contains "." or ":"${more}`,
      'The guest sees class.key.instance; DSP0243 keeps "." and ":" out of keys (VMware accepts them).',
    );
  }
}

function checkTyped(ctx: ValidationContext, p: OvfProperty): void {
  if (p.type.trim() === '') {
    ctx.report(
      'OVF_MISSING_ATTRIBUTE',
      p,
      `Property "${p.key}" has no ovf:type`,
      'Give a CIM type such as string.',
    );
    return;
  }
  const t = propertyType(p.type);
  if (t === undefined) {
    ctx.report(
      'OVF_PROPERTY_TYPE_UNKNOWN',
      p,
      `Property "${p.key}" has ovf:type="${p.type}", which is not a CIM type`,
      'Use uint8..uint64, sint8..sint64, real32, real64, boolean, string, char16 or datetime.',
    );
    return;
  }
  if (t.alias) {
    ctx.report(
      'OVF_PROPERTY_TYPE_NONSTANDARD',
      p,
      `Property "${p.key}" has ovf:type="${p.type}"; the CIM type is "${t.cim}"`,
      `Write ovf:type="${t.cim}"; consumers other than vSphere may not know "${p.type}".`,
    );
  }
  const qualifiers = readQualifiers(ctx, p, t);
  const check = (value: string | undefined, at: Located) => {
    // An empty default means "no default"; ${...} values are expanded at deployment.
    if (value === undefined || value === '' || value.includes('${')) return;
    const err = propertyValueError(t, value);
    if (err !== undefined) {
      ctx.report('OVF_PROPERTY_VALUE_INVALID', at, `Property "${p.key}" (${p.type}): ${err}`);
      return;
    }
    for (const q of qualifiers) {
      const v = qualifierViolation(t, q, value);
      if (v !== undefined) ctx.report('OVF_PROPERTY_QUALIFIER_VIOLATED', at, `Property "${p.key}": ${v}`);
    }
  };
  check(p.value, p);
  for (const v of p.values) check(v.value, v);
}

function readQualifiers(ctx: ValidationContext, p: OvfProperty, t: PropertyType): Qualifier[] {
  if (p.qualifiers === undefined || p.qualifiers.trim() === '') return [];
  let qs: Qualifier[];
  try {
    qs = parseQualifiers(p.qualifiers);
  } catch (e) {
    ctx.report(
      'OVF_PROPERTY_QUALIFIER_INVALID',
      p,
      `Property "${p.key}" has ovf:qualifiers="${p.qualifiers}" that cannot be read: ${(e as Error).message}`,
      'Write e.g. MinLen(1),MaxLen(64) or ValueMap{"a","b"}.',
    );
    return [];
  }
  const out: Qualifier[] = [];
  for (const q of qs) {
    if (!isKnownQualifier(q.name)) {
      ctx.report(
        'OVF_PROPERTY_QUALIFIER_UNKNOWN',
        p,
        `Property "${p.key}" has qualifier "${q.name}", which neither CIM nor VMware defines`,
      );
      continue;
    }
    const err = qualifierTypeError(t, q);
    if (err !== undefined) {
      ctx.report('OVF_PROPERTY_QUALIFIER_INVALID', p, `Property "${p.key}" (${p.type}): ${err}`);
      continue;
    }
    out.push(q);
  }
  return out;
}
