import type { Operation } from '../../../api/index.js';
import type { CimInstance, CimInstanceName } from '../../../cim/index.js';
import { text } from './values.js';

/**
 * Job ids over CIM-XML: `cim.<base64url of "class:InstanceID">` for a host's CIM_ConcreteJob (InstanceIDs may hold
 * `/`, which the Api's ids may not, and GetInstance needs the class), `cimxml.<uuid>` for the jobs this client
 * records for methods that completed at once; and the operation of a job this client did not start.
 */

/**
 * The Api id of a host's job, or undefined when its InstanceID makes it longer than an Api id may be.
 *
 * @example
 * jobIdOf({ className: 'Vessel_ConcreteJob', keys: { InstanceID: 'Vessel:Job/1' } }); // 'cim.VmVzc2VsX0NvbmNyZXRlSm9iOlZlc3NlbDpKb2IvMQ'
 */
export function jobIdOf(path: CimInstanceName): string | undefined {
  const id = path.keys.InstanceID;
  if (typeof id !== 'string') return undefined;
  const encoded = `cim.${Buffer.from(`${path.className}:${id}`, 'utf8').toString('base64url')}`;
  return encoded.length <= 128 ? encoded : undefined;
}

/** The host's job path behind an Api id, or undefined when the id is not one (the inverse of {@link jobIdOf}). */
export function jobPathOf(id: string, namespace: string): CimInstanceName | undefined {
  const m = /^cim\.([A-Za-z0-9_-]+)$/.exec(id);
  if (!m) return undefined;
  const raw = Buffer.from(m[1]!, 'base64url').toString('utf8');
  const colon = raw.indexOf(':');
  if (colon <= 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(raw.slice(0, colon))) return undefined;
  return { className: raw.slice(0, colon), keys: { InstanceID: raw.slice(colon + 1) }, namespace };
}

/**
 * The operation of a job this client did not start, from its method's name (Name or ElementName; Vessel's
 * ElementName ends with the RequestedState); a job whose operation cannot be told is `modify`.
 */
export function operationOfCimJob(job: CimInstance): Operation {
  const name = `${text(job, 'Name') ?? ''} ${text(job, 'ElementName') ?? ''}`;
  if (/DefineSystem/.test(name)) return 'define';
  if (/DestroySystem/.test(name)) return 'undefine';
  const to = /RequestStateChange.*?\b(\d+)\s*$/.exec(name)?.[1];
  const byValue: Record<string, Operation> = {
    '2': 'start',
    '3': 'powerOff',
    '4': 'shutdown',
    '6': 'suspend',
    '9': 'pause',
    '10': 'reboot',
    '11': 'reset',
  };
  return (to !== undefined ? byValue[to] : undefined) ?? 'modify';
}
