import type { CimQualifier } from '../../cim/index.js';
import { xmlAttr, xmlText } from './escape.js';

/** QUALIFIER element (DSP0201 §3.2.6.3), flavors written only where they differ from the defaults. */
export function qualifierXml(q: CimQualifier, propagated = false): string {
  let s = `<QUALIFIER NAME="${xmlAttr(q.name)}" TYPE="${q.type}"`;
  if (propagated) s += ' PROPAGATED="true"';
  if (q.overridable === false) s += ' OVERRIDABLE="false"';
  if (q.toSubclass === false) s += ' TOSUBCLASS="false"';
  if (q.translatable) s += ' TRANSLATABLE="true"';
  s += '>';
  if (Array.isArray(q.value)) {
    s += '<VALUE.ARRAY>';
    for (const v of q.value) s += `<VALUE>${xmlText(boolText(q, v))}</VALUE>`;
    s += '</VALUE.ARRAY>';
  } else if (q.value !== undefined) s += `<VALUE>${xmlText(boolText(q, q.value))}</VALUE>`;
  return `${s}</QUALIFIER>`;
}

function boolText(q: CimQualifier, v: string): string {
  return q.type === 'boolean' ? v.toUpperCase() : v;
}
