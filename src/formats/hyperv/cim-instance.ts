import { textContent, type XmlElement } from '../../xml/index.js';
import { FormatError } from '../errors.js';
import { attr, children, el } from '../xml-build.js';

/**
 * CIM instances in CIM-XML (DSP0201, DTD 2.0) `<INSTANCE>` form: what WMI's `GetText(CimDtd20)` produces and what
 * Hyper-V's DefineSystem takes as embedded instances. Only the typed scalar and array properties a definition
 * needs; references are written as WMI object paths in string properties (`Parent`, `HostResource`), as Hyper-V does.
 */

/** A CIM type name as DSP0201 spells it. */
type CimType = 'string' | 'uint16' | 'uint32' | 'uint64' | 'boolean';

/** One property: a scalar or an array, with its CIM type. */
export interface CimProperty {
  name: string;
  type: CimType;
  value: string | string[];
}

/** An instance: its class name and properties in order. */
export interface CimInstance {
  className: string;
  properties: CimProperty[];
}

/** Builds the `<INSTANCE>` element of an instance. */
export function instanceToXml(i: CimInstance): XmlElement {
  return el(
    'INSTANCE',
    { CLASSNAME: i.className },
    i.properties.map((p) =>
      Array.isArray(p.value)
        ? el('PROPERTY.ARRAY', { NAME: p.name, TYPE: p.type }, [
            el(
              'VALUE.ARRAY',
              {},
              p.value.map((v) => el('VALUE', {}, [v])),
            ),
          ])
        : el('PROPERTY', { NAME: p.name, TYPE: p.type }, [el('VALUE', {}, [p.value])]),
    ),
  );
}

const TYPES = new Set([
  'string',
  'uint8',
  'uint16',
  'uint32',
  'uint64',
  'sint8',
  'sint16',
  'sint32',
  'sint64',
  'boolean',
  'datetime',
  'real32',
  'real64',
  'char16',
]);

/** Reads an `<INSTANCE>` element, checking that each value has its declared type; throws `FORMAT_INVALID`. */
export function instanceFromXml(
  e: XmlElement,
  file: string | undefined,
): Map<string, string | string[]> & { className: string } {
  const out = new Map<string, string | string[]>() as Map<string, string | string[]> & { className: string };
  out.className = attr(e, 'CLASSNAME') ?? '';
  for (const p of children(e)) {
    if (p.local !== 'PROPERTY' && p.local !== 'PROPERTY.ARRAY') continue;
    const name = attr(p, 'NAME') ?? '';
    const type = attr(p, 'TYPE') ?? 'string';
    const where = { file, line: p.line, column: p.column };
    if (!TYPES.has(type))
      throw new FormatError('FORMAT_INVALID', `Property ${name} has the unknown CIM type "${type}"`, {
        location: where,
      });
    const check = (v: string): string => {
      if (/^uint/.test(type) && !/^\s*\d{1,20}\s*$/.test(v)) {
        throw new FormatError(
          'FORMAT_INVALID',
          `${out.className}.${name} is "${v.slice(0, 40)}", not a ${type}`,
          { location: where },
        );
      }
      if (type === 'boolean' && !/^\s*(true|false)\s*$/i.test(v)) {
        throw new FormatError(
          'FORMAT_INVALID',
          `${out.className}.${name} is "${v.slice(0, 40)}", not a boolean`,
          { location: where },
        );
      }
      return v.trim();
    };
    if (p.local === 'PROPERTY') {
      const v = children(p, 'VALUE')[0];
      if (v) out.set(name, check(textContent(v)));
    } else {
      const arr = children(p, 'VALUE.ARRAY')[0];
      if (arr)
        out.set(
          name,
          children(arr, 'VALUE').map((v) => check(textContent(v))),
        );
    }
  }
  return out;
}

/** The WMI object path of a Hyper-V settings instance, as `Parent` properties reference it. */
export function wmiPath(className: string, instanceId: string): string {
  return `\\\\.\\root\\virtualization\\v2:${className}.InstanceID="${instanceId.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The InstanceID a WMI object path names, or undefined. */
export function instanceIdOfPath(path: string | undefined): string | undefined {
  const m = /InstanceID="((?:[^"\\]|\\.)*)"/.exec(path ?? '');
  return m?.[1]?.replace(/\\(.)/g, '$1');
}

/** The `Name` key a WMI object path gives (e.g. a virtual switch's), or undefined. */
export function nameKeyOfPath(path: string | undefined): string | undefined {
  const m = /[.,]Name="((?:[^"\\]|\\.)*)"/.exec(path ?? '');
  return m?.[1]?.replace(/\\(.)/g, '$1');
}
