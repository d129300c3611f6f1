import { readFile } from 'node:fs/promises';
import {
  type CimClassDecl,
  type CimInstance,
  type CimInstanceName,
  type CimValue,
  formatObjectPath,
  isInstance,
  isInstanceName,
  parseObjectPath,
} from '../../cim/index.js';
import { VesselError } from '../../model/index.js';
import type { ParamIn } from '../../wbem/index.js';
import { printJson, println } from '../output.js';

/**
 * What the raw CIM commands (`vessel cim`, `vessel wsman`) share: object paths from the command line, values and
 * instances as text or JSON, method parameters typed by the class.
 */

/**
 * An object path from the command line (`Class.Key="v"`), in `namespace` unless it names one; USAGE if malformed.
 *
 * @example
 * path('Vessel_ComputerSystem.CreationClassName="Vessel_ComputerSystem",Name="vm1"', 'root/virtualization');
 */
export function path(text: string, namespace: string): CimInstanceName {
  try {
    const p = parseObjectPath(text);
    return { ...p, namespace: p.namespace ?? namespace };
  } catch (e) {
    throw new VesselError('USAGE', (e as Error).message);
  }
}

/**
 * A value as one line of text: lists joined by commas, references as object paths.
 *
 * @example
 * valueText(['2', '10']); // '"2","10"'
 */
export function valueText(v: CimValue): string {
  if (Array.isArray(v)) return v.map(valueText).join(',');
  if (isInstanceName(v)) return formatObjectPath(v);
  if (isInstance(v)) return `instance of ${v.className}`;
  return JSON.stringify(v);
}

/**
 * A value as JSON: NULL as null, references as object paths, embedded instances as class and properties.
 *
 * @example
 * jsonValue(undefined); // null
 */
export function jsonValue(v: CimValue | undefined): unknown {
  if (v === undefined) return null;
  if (Array.isArray(v)) return v.map(jsonValue);
  if (isInstanceName(v)) return formatObjectPath(v);
  if (isInstance(v)) return { className: v.className, properties: jsonProps(v) };
  return v;
}

function jsonProps(i: CimInstance): Record<string, unknown> {
  return Object.fromEntries(Object.entries(i.properties).map(([k, v]) => [k, jsonValue(v)]));
}

/**
 * Prints instances: their path and `Name=value` lines, or one JSON array.
 *
 * @example
 * printInstances(await c.enumerateInstances('CIM_ComputerSystem'), o.json);
 */
export function printInstances(list: CimInstance[], json: boolean | undefined): void {
  if (json) {
    printJson(
      list.map((i) => ({
        path: i.path ? formatObjectPath(i.path) : undefined,
        className: i.className,
        properties: jsonProps(i),
      })),
    );
    return;
  }
  for (const i of list) {
    println(i.path ? formatObjectPath(i.path) : i.className);
    for (const [k, v] of Object.entries(i.properties)) if (v !== undefined) println(`  ${k}=${valueText(v)}`);
  }
}

/**
 * Prints instance names, one object path a line or a JSON array.
 *
 * @example
 * printPaths(await c.enumerateInstanceNames('CIM_ComputerSystem'), false);
 */
export function printPaths(list: CimInstanceName[], json: boolean | undefined): void {
  if (json) printJson(list.map((p) => formatObjectPath(p)));
  else for (const p of list) println(formatObjectPath(p));
}

/**
 * `NAME=VALUE` arguments typed by the method's declaration, as wbemcli does; `NAME=@file` reads a file.
 *
 * @example
 * await methodParams((n, ns) => c.getClass(n, { namespace: ns }), target, 'RequestStateChange', ['RequestedState=2'], 'root/virtualization');
 */
export async function methodParams(
  getClass: (className: string, namespace: string | undefined) => Promise<CimClassDecl>,
  target: CimInstanceName,
  method: string,
  args: string[],
  defaultNs: string,
): Promise<Record<string, ParamIn>> {
  const cls = await getClass(target.className, target.namespace);
  const m = cls.methods.find((x) => x.name.toLowerCase() === method.toLowerCase());
  if (!m)
    throw new VesselError(
      'USAGE',
      `Class ${cls.name} has no method ${method}; it has ${cls.methods.map((x) => x.name).join(', ')}`,
    );
  const out: Record<string, ParamIn> = {};
  for (const a of args) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw new VesselError('USAGE', `"${a}" is not NAME=VALUE`);
    const name = a.slice(0, eq);
    let text = a.slice(eq + 1);
    if (text.startsWith('@')) text = await readFile(text.slice(1), 'utf8');
    const p = m.parameters.find((x) => x.name.toLowerCase() === name.toLowerCase());
    if (!p)
      throw new VesselError(
        'USAGE',
        `${m.name} has no parameter ${name}; it has ${m.parameters.map((x) => x.name).join(', ')}`,
      );
    const v: CimValue = p.type === 'reference' ? path(text, target.namespace ?? defaultNs) : text;
    const prev = out[p.name];
    if (p.isArray)
      out[p.name] = {
        type: p.type,
        value: [...((prev?.value as CimValue[] | undefined) ?? []), v] as CimValue,
      };
    else if (prev) throw new VesselError('USAGE', `${p.name} is given twice but is not an array`);
    else out[p.name] = { type: p.type, value: v };
  }
  return out;
}
