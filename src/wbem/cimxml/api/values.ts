import {
  type JobState,
  REQUESTED_NOT_APPLICABLE,
  REQUESTED_STATE_OF,
  STATE_OPERATIONS,
  STATE_REASON_CODES,
  type StateOperation,
  type StateReasonCode,
  type SystemSummary,
  systemStateFromCim,
} from '../../../api/index.js';
import type { CimInstance, CimValue } from '../../../cim/index.js';

/**
 * CIM property values as the Api's types: text, numbers and lists as a peer may send them (or leave out), CIM
 * datetimes as RFC 3339, a virtual system's CIM_ComputerSystem as a SystemSummary, CIM_ConcreteJob.JobState as
 * a JobState. Readers never throw on a missing or odd optional value: they answer undefined.
 */

/**
 * A property's text, or undefined when it is NULL, a list or a reference.
 *
 * @example
 * text(cs, 'ElementName'); // 'web1'
 */
export function text(i: CimInstance, name: string): string | undefined {
  const v = i.properties[name];
  return typeof v === 'string' ? v : undefined;
}

/** A property's texts (a scalar counts as a list of one); references and embedded instances are left out. */
export function texts(i: CimInstance, name: string): string[] {
  const v: CimValue | undefined = i.properties[name];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
}

/** A property as a whole number, or undefined when it is not one. */
export function whole(i: CimInstance, name: string): number | undefined {
  const t = text(i, name)?.trim();
  return t !== undefined && /^\d{1,15}$/.test(t) ? Number(t) : undefined;
}

/**
 * A CIM timestamp (`yyyymmddhhmmss.mmmmmmsutc`, DSP0004 §5.2.4) as RFC 3339 in UTC; undefined for an interval,
 * asterisks (unknown fields) or anything else.
 *
 * @example
 * isoOfCimTimestamp('20261202134200.123456+060'); // '2026-12-02T12:42:00.123Z'
 */
export function isoOfCimTimestamp(value: string | undefined): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})\.(\d{6})([+-])(\d{3})$/.exec(value?.trim() ?? '');
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, us, sign, off] = m as unknown as string[];
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const ms = utc + Math.floor(Number(us) / 1000) - (sign === '-' ? -1 : 1) * Number(off) * 60_000;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** The epoch: what a time is when the host does not say. */
export const UNKNOWN_TIME = new Date(0).toISOString();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A virtual system's UUID as the host shows it, in lower case: OtherIdentifyingInfo (Vessel's `CIM:GUID`), a
 * vendor `UUID` property (libvirt-cim), or a Name that is a UUID (Hyper-V); else the Name key itself.
 */
function uuidOf(cs: CimInstance): string {
  const found = [...texts(cs, 'OtherIdentifyingInfo'), text(cs, 'UUID') ?? '', text(cs, 'Name') ?? ''].find(
    (x) => UUID.test(x),
  );
  return (found ?? text(cs, 'Name') ?? '').toLowerCase();
}

/**
 * The state change a RequestedState stands for. 2 is `start` unless `asked` (the last change this client asked)
 * is `resume`, which CIM spells the same; 12 (Not Applicable), 0 (Unknown) and 5 (No Change) are none.
 */
function requestedOperation(value: number | undefined, asked?: StateOperation): StateOperation | undefined {
  if (value === undefined || value === REQUESTED_NOT_APPLICABLE || value === 0 || value === 5)
    return undefined;
  if (asked !== undefined && REQUESTED_STATE_OF[asked] === value) return asked;
  return STATE_OPERATIONS.find((op) => op !== 'resume' && REQUESTED_STATE_OF[op] === value);
}

/**
 * The operations a list of RequestedStatesSupported values offers, in the Api's order: `resume` goes with 9
 * (Quiesce) or 6 (Offline), since 2 resumes what those stopped.
 *
 * @example
 * operationsOfRequestedStates([2, 3, 9]); // ['start', 'resume', 'powerOff', 'pause']
 */
export function operationsOfRequestedStates(values: readonly number[]): StateOperation[] {
  const has = new Set(values);
  return STATE_OPERATIONS.filter((op) =>
    op === 'resume' ? has.has(2) && (has.has(9) || has.has(6)) : has.has(REQUESTED_STATE_OF[op]),
  );
}

/** A Vessel host's StateReason as a reason code; anything else (a foreign host has none) is `unknown`. */
function reasonCodeOf(value: string | undefined): StateReasonCode {
  return (STATE_REASON_CODES as readonly string[]).includes(value ?? '')
    ? (value as StateReasonCode)
    : 'unknown';
}

/**
 * A virtual system's CIM_ComputerSystem as a summary: name (ElementName, else Name), UUID, state from
 * EnabledState and OperationalStatus (DMTF and Hyper-V values), the reason as the host words it
 * (StatusDescriptions) with its code when a Vessel host gives one (StateReason), the time of the last change (TimeOfLastStateChange, else `since`), the change asked last.
 *
 * @example
 * summaryOf(cs, UNKNOWN_TIME).state; // 'running' for EnabledState 2
 */
export function summaryOf(cs: CimInstance, since: string, asked?: StateOperation): SystemSummary {
  const enabled = whole(cs, 'EnabledState') ?? 0;
  const status = texts(cs, 'OperationalStatus').map(Number);
  const requested = requestedOperation(whole(cs, 'RequestedState'), asked);
  return {
    uuid: uuidOf(cs),
    name: text(cs, 'ElementName') ?? text(cs, 'Name') ?? '',
    state: systemStateFromCim(enabled, status),
    reason: {
      code: reasonCodeOf(text(cs, 'StateReason')),
      text: texts(cs, 'StatusDescriptions')[0] ?? `EnabledState ${enabled}`,
    },
    changedAt: isoOfCimTimestamp(text(cs, 'TimeOfLastStateChange')) ?? since,
    ...(requested === undefined ? {} : { requested }),
  };
}

/**
 * CIM_ConcreteJob.JobState as a job state: 2 New is queued; 3 Starting, 4 Running, 5 Suspended, 6 Shutting
 * Down, 11 Service and 12 Query Pending are running; 7 Completed and Hyper-V's 32768 (completed with warnings)
 * completed; 8 Terminated and 9 Killed cancelled; 10 Exception failed. Anything else is undefined.
 *
 * @example
 * jobStateOf(10); // 'failed'
 */
export function jobStateOf(value: number | undefined): JobState | undefined {
  switch (value) {
    case 2:
      return 'queued';
    case 3:
    case 4:
    case 5:
    case 6:
    case 11:
    case 12:
      return 'running';
    case 7:
    case 32768:
      return 'completed';
    case 8:
    case 9:
      return 'cancelled';
    case 10:
      return 'failed';
    default:
      return undefined;
  }
}
