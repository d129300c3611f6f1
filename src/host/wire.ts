import type { CimValue, ResourceSetting, VirtualSystemDefinition } from '../model/index.js';
import { HostError } from './errors.js';

/**
 * The host socket protocol: one JSON object per line, both ways.
 * - request `{"id": 1, "method": "vm.start", "params": {"vm": "web1"}}`
 * - answer `{"id": 1, "result": ...}` or `{"id": 1, "error": {"code", "message", "hint"}}`
 * - after `events.subscribe`, pushed lines `{"event": {...}}`
 * - after `console.attach` answers, the connection carries the raw serial console bytes both ways.
 */
export interface WireRequest {
  id: number | string;
  method: string;
  params: Record<string, unknown>;
}

/** The longest line either side accepts (a definition with thousands of RASDs fits). */
export const MAX_LINE_BYTES = 16 << 20;

/** JSON with bigints written as decimal strings. */
export function toWire(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/** Parses one request line, or throws `HOST_PROTOCOL` saying what is wrong with it. */
export function parseRequest(line: string): WireRequest {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new HostError('HOST_PROTOCOL', `The request is not JSON: ${line.slice(0, 60)}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new HostError('HOST_PROTOCOL', 'The request is not a JSON object');
  const r = v as Record<string, unknown>;
  if (typeof r.id !== 'number' && typeof r.id !== 'string')
    throw new HostError('HOST_PROTOCOL', 'The request has no id');
  if (typeof r.method !== 'string') throw new HostError('HOST_PROTOCOL', 'The request has no method');
  const params = r.params ?? {};
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw new HostError('HOST_PROTOCOL', 'The request params are not an object');
  }
  return { id: r.id, method: r.method, params: params as Record<string, unknown> };
}

/** A string parameter, or `USAGE` naming it. */
export function stringParam(params: Record<string, unknown>, name: string): string {
  const v = params[name];
  if (typeof v !== 'string' || v === '')
    throw new HostError('USAGE', `The parameter "${name}" must be a non-empty string`);
  return v;
}

function cimValue(v: unknown, where: string): CimValue {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  throw new HostError('USAGE', `${where} must be a string or an array of strings`);
}

function properties(v: unknown, where: string): Record<string, CimValue> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new HostError('USAGE', `${where} must be an object`);
  const out: Record<string, CimValue> = {};
  for (const [k, x] of Object.entries(v)) {
    if (x === undefined || x === null) continue;
    // An own property even for `__proto__`, which plain assignment would take as the object's prototype.
    Object.defineProperty(out, k, {
      value: cimValue(x, `${where}.${k}`),
      writable: true,
      enumerable: true,
      configurable: true,
    });
  }
  return out;
}

const CLASSES = new Set([
  'CIM_ResourceAllocationSettingData',
  'CIM_StorageAllocationSettingData',
  'CIM_EthernetPortAllocationSettingData',
]);

/** Checks the shape of a definition received as JSON (the model's own checks come after, in the driver). */
export function definitionFromWire(v: unknown): VirtualSystemDefinition {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new HostError('USAGE', 'The definition must be an object');
  const d = v as Record<string, unknown>;
  if (!Array.isArray(d.resources)) throw new HostError('USAGE', 'The definition has no resources array');
  const resources: ResourceSetting[] = d.resources.map((r: unknown, i: number) => {
    const rr = (typeof r === 'object' && r !== null ? r : {}) as Record<string, unknown>;
    const cimClass = typeof rr.cimClass === 'string' && CLASSES.has(rr.cimClass) ? rr.cimClass : undefined;
    if (cimClass === undefined) throw new HostError('USAGE', `resources[${i}].cimClass is not a RASD class`);
    return {
      cimClass: cimClass as ResourceSetting['cimClass'],
      properties: properties(rr.properties, `resources[${i}].properties`),
    };
  });
  return { system: properties(d.system, 'system'), resources };
}
