import {
  CIM_JOB_STATE_OF,
  CIM_STATUS_OF,
  type JobInfo,
  type Operation,
  REQUESTED_STATE_OF,
  STATE_OPERATIONS,
  type StateOperation,
  type UndefineResult,
} from '../api/index.js';
import { cimInterval, cimTimestamp } from './datetime.js';
import { CIM_STATUS } from './errors.js';
import { C, ORG } from './naming.js';
import type { CimInstance } from './types.js';

/**
 * The host's jobs (the Api's JobInfo) as DSP1103 CIM_ConcreteJob instances: one job store, so a job started over
 * the socket, the CLI or REST is a ConcreteJob here, and a job a CIM method started is the Api's. Only the
 * spelling is CIM's: InstanceID `Vessel:Job/<id>`, JobState from CIM_JOB_STATE_OF, ErrorCode the CIM status of
 * the error's Api code (CIM_STATUS_OF).
 */

const JOB_PREFIX = `${ORG}:Job/`;

/** How long a finished job is kept at least, when the job does not say (TimeBeforeRemoval's class default). */
const KEPT_AT_LEAST = '00000000000500.000000:000';

/**
 * TimeBeforeRemoval of a job kept until deleted: the largest interval DSP0004 can write. CIM_Job.mof: with
 * DeleteOnCompletion false, "the extrinsic method DeleteInstance must be used to delete the job"; no timer
 * removes it (only the store's bound on finished jobs, the oldest first).
 */
const KEPT_UNTIL_DELETED = '99999999235959.999999:000';

/**
 * The InstanceID of a job.
 *
 * @example
 * jobInstanceId('6c9d…'); // 'Vessel:Job/6c9d…'
 */
export function jobInstanceId(id: string): string {
  return `${JOB_PREFIX}${id}`;
}

/**
 * The Api job id behind an InstanceID, or undefined when it is not a job's.
 *
 * @example
 * jobIdOf('Vessel:Job/6c9d…'); // '6c9d…'
 */
export function jobIdOf(instanceId: string | undefined): string | undefined {
  if (instanceId === undefined || !instanceId.startsWith(JOB_PREFIX)) return undefined;
  const id = instanceId.slice(JOB_PREFIX.length);
  return id === '' ? undefined : id;
}

/** The CIM method that runs each operation, where one does; the others are named `Vessel:<operation>`. */
const METHOD_OF: Partial<Record<Operation, string>> = {
  ...Object.fromEntries(STATE_OPERATIONS.map((op) => [op, 'RequestStateChange'])),
  define: 'DefineSystem',
  undefine: 'DestroySystem',
  attachDevice: 'AddResourceSettings',
  detachDevice: 'RemoveResourceSettings',
};

/**
 * A job's Name: the CIM method of its operation, or `Vessel:<operation>` (a settings change, a deploy, ...).
 *
 * @example
 * jobMethodName('shutdown'); // 'RequestStateChange'
 * jobMethodName('deploy');   // 'Vessel:deploy'
 */
export function jobMethodName(operation: Operation): string {
  return METHOD_OF[operation] ?? `${ORG}:${operation}`;
}

function isStateOperation(op: Operation): op is StateOperation {
  return (STATE_OPERATIONS as readonly string[]).includes(op);
}

/** ElementName: `RequestStateChange web1 to 4`, `DefineSystem web2`, `Vessel:deploy appliance.ova`. */
function elementName(j: JobInfo): string {
  const on = j.target?.name ?? j.target?.id;
  const base = `${jobMethodName(j.operation)}${on === undefined ? '' : ` ${on}`}`;
  return isStateOperation(j.operation) ? `${base} to ${REQUESTED_STATE_OF[j.operation]}` : base;
}

/**
 * What a completed state change ended in when it was not what was asked: a shutdown or reboot whose guest did not
 * stop in time and was powered off (the system's reason in the job's result, the Api's summary).
 */
function forcedOff(j: JobInfo): string | undefined {
  if (j.state !== 'completed' || (j.operation !== 'shutdown' && j.operation !== 'reboot')) return undefined;
  const reason = (j.result as { reason?: { code?: unknown; text?: unknown } } | undefined)?.reason;
  if (reason?.code !== 'forced-after-timeout') return undefined;
  return typeof reason.text === 'string' ? reason.text : 'powered off: the guest did not shut down in time';
}

/** JobStatus: what a running job is doing (its phase), or its state in words (and a forced power-off's reason). */
function jobStatus(j: JobInfo): string {
  if ((j.state === 'running' || j.state === 'queued') && j.phase !== undefined) return j.phase;
  const forced = forcedOff(j);
  if (forced !== undefined) return `Completed (${forced})`;
  const words = {
    queued: 'New',
    running: 'Running',
    completed: 'Completed',
    failed: 'Exception',
    cancelled: 'Terminated',
  };
  return words[j.state];
}

/** The text of a job's error: its message, and its hint after it. */
function errorText(j: JobInfo): string | undefined {
  const e = j.error;
  if (e === undefined) return undefined;
  return e.hint !== undefined && e.hint !== '' ? `${e.message} (${e.hint})` : e.message;
}

/**
 * A job as a Vessel_ConcreteJob instance (DSP1103 §10.1).
 *
 * @example
 * jobInstance(await api.jobs.get(id)).properties.JobState; // '7' once completed
 */
export function jobInstance(j: JobInfo): CimInstance {
  const final = j.finishedAt !== undefined;
  const started = Date.parse(j.startedAt ?? j.createdAt);
  const end = final ? Date.parse(j.finishedAt!) : Date.now();
  const status = j.error === undefined ? undefined : CIM_STATUS_OF[j.error.code];
  const kept =
    j.keepUntil !== undefined && final
      ? cimInterval(Date.parse(j.keepUntil) - end)
      : j.deleteOnCompletion
        ? KEPT_AT_LEAST
        : KEPT_UNTIL_DELETED;
  return {
    className: C.job,
    properties: {
      InstanceID: jobInstanceId(j.id),
      Name: jobMethodName(j.operation),
      ElementName: elementName(j),
      Owner: j.owner,
      JobState: String(CIM_JOB_STATE_OF[j.state]),
      JobStatus: jobStatus(j),
      PercentComplete: String(j.percent),
      TimeSubmitted: cimTimestamp(new Date(j.createdAt)),
      StartTime: j.startedAt === undefined ? undefined : cimTimestamp(new Date(j.startedAt)),
      ElapsedTime: cimInterval(end - started),
      TimeOfLastStateChange: cimTimestamp(new Date(j.finishedAt ?? j.startedAt ?? j.createdAt)),
      TimeBeforeRemoval: kept,
      DeleteOnCompletion: String(j.deleteOnCompletion),
      ErrorCode: status === undefined ? undefined : String(CIM_STATUS[status]),
      ErrorDescription: errorText(j),
      StatusDescriptions: forcedOff(j) === undefined ? undefined : [forcedOff(j)!],
      OperationalStatus: j.state === 'failed' ? ['6', '17'] : final ? ['2', '17'] : ['2'],
      HealthState: j.state === 'failed' ? '20' : '5',
      ...(j.operation === 'undefine' && j.state === 'completed' ? keptOut(j.result) : {}),
    },
  };
}

/**
 * The kept disks of an undefine (UndefineResult.keptImages) as the four parallel arrays of Vessel's
 * DestroySystemKeepingDisks (OUT parameters, and properties of its job once completed).
 *
 * @example
 * keptOut({ keptImages: [{ instanceId: '5', pool: 'default', image: 'web1-disk0.qcow2', how: 'converted' }] });
 * // { KeptInstanceIDs: ['5'], KeptPools: ['default'], KeptImages: ['web1-disk0.qcow2'], KeptHow: ['converted'] }
 */
export function keptOut(result: unknown): Record<string, string[]> {
  const kept = (result as Partial<UndefineResult> | undefined)?.keptImages ?? [];
  return {
    KeptInstanceIDs: kept.map((k) => k.instanceId),
    KeptPools: kept.map((k) => k.pool),
    KeptImages: kept.map((k) => k.image),
    KeptHow: kept.map((k) => k.how),
  };
}

/**
 * The CIM_Error of a job that failed or was cancelled (DSP1103 §8.1 GetError): MessageID and CIMStatusCode are
 * the CIM status of the error's Api code; the Api code itself is the first MessageArgument.
 *
 * @example
 * jobError(failedDefine)?.properties.MessageID; // 'CIM_ERR_ALREADY_EXISTS' for VM_EXISTS
 */
export function jobError(j: JobInfo): CimInstance | undefined {
  const e = j.error;
  if (e === undefined) return undefined;
  const status = CIM_STATUS_OF[e.code];
  return {
    className: 'CIM_Error',
    properties: {
      ErrorType: '4',
      OwningEntity: ORG,
      MessageID: status,
      Message: errorText(j),
      MessageArguments: [e.code],
      PerceivedSeverity: '6',
      ProbableCause: '1',
      CIMStatusCode: String(CIM_STATUS[status]),
      CIMStatusCodeDescription: status,
    },
  };
}

/**
 * ElementEffects of a job on the system it works on (CIM_AffectedJobElement): 5 Create for a define, 1 Other
 * (its state or settings change) for the rest; an undefine affects a system that is gone, so none.
 *
 * @example
 * jobEffects(defineJob); // ['5']
 */
export function jobEffects(j: JobInfo): string[] | undefined {
  if (j.target?.kind !== 'system' || j.operation === 'undefine') return undefined;
  return j.operation === 'define' ? ['5'] : ['1'];
}
