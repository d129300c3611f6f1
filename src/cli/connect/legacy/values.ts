import {
  type ApiErrorCode,
  type ApiEvent,
  type DeployResult,
  type ExportResult,
  type HostInfo,
  isApiErrorCode,
  isSystemState,
  type JobInfo,
  OPERATIONS,
  type Operation,
  type PoolInfo,
  type SystemDetail,
  type SystemSummary,
} from '../../../api/index.js';
import {
  type DeployResult as HostDeployResult,
  HostError,
  type HostErrorCode,
  type HostEvent,
  type ExportResult as HostExportResult,
  type HostInfo as HostHostInfo,
  type Job,
  type PoolUsage,
  toApiError,
  type VmSummary,
} from '../../../host/index.js';
import type { VirtualSystemDefinition } from '../../../model/index.js';
import { HOST_EXIT } from '../../exit-tables.js';

/**
 * The answers of the host's line-based socket protocol (src/host/server.ts) as the Api's types, for the interim
 * socket transport (legacy/api.ts). What that protocol does not report is left out rather than made up: a
 * summary has no `changedAt`, a detail's `etag` is empty, a reason's code is `unknown` (its text is the host's).
 */

/** A system in the Api's words; `changedAt` is not reported by the old protocol. */
export function summaryOf(v: VmSummary): SystemSummary {
  return {
    uuid: v.uuid,
    name: v.name,
    state: isSystemState(v.state) ? v.state : 'unknown',
    reason: { code: 'unknown', text: v.reason },
  } as SystemSummary;
}

/** A system with its definition. */
export function detailOf(v: VmSummary & { definition: VirtualSystemDefinition }): SystemDetail {
  return { ...summaryOf(v), definition: v.definition, etag: '', consoles: ['serial'] };
}

/** The operation of a job of the old protocol, whose kinds are its method names (`vm.export`, `vm.start`). */
function operationOf(kind: string): Operation {
  const k = kind.startsWith('vm.') ? kind.slice('vm.'.length) : kind;
  if ((OPERATIONS as readonly string[]).includes(k)) return k as Operation;
  if (k === 'stop') return 'shutdown';
  return 'modify';
}

/**
 * The Api code of a job error the old protocol recorded by its domain's code: an Api code as it is, a host code
 * as the host maps it, anything else (an OVA, OVF, disk or hypervisor code of a deploy or an export) as the
 * failure of that operation; the original code stays in `detail`.
 */
function errorCodeOf(code: string, message: string, operation: Operation): ApiErrorCode {
  if (isApiErrorCode(code)) return code;
  if (Object.hasOwn(HOST_EXIT, code)) return toApiError(new HostError(code as HostErrorCode, message)).code;
  return operation === 'deploy' ? 'DEPLOY_PACKAGE' : 'HYPERVISOR_FAILED';
}

/** A job of the old protocol; its error keeps the domain code in `detail`. */
export function jobOf<R>(j: Job, result?: R): JobInfo<R> {
  const operation = operationOf(j.kind);
  return {
    id: j.id,
    operation,
    ...(j.target === undefined ? {} : { target: { kind: 'system', id: j.target } }),
    owner: 'local',
    state: j.state,
    percent: j.state === 'completed' ? 100 : Math.max(0, Math.min(100, Math.trunc(j.progress))),
    createdAt: j.createdAt,
    ...(j.finishedAt === undefined ? {} : { finishedAt: j.finishedAt }),
    deleteOnCompletion: false,
    ...(j.error === undefined
      ? {}
      : {
          error: {
            code: errorCodeOf(j.error.code, j.error.message, operation),
            message: j.error.message,
            detail: { domain: 'host', code: j.error.code.slice(0, 64) },
          },
        }),
    ...(result === undefined ? {} : { result }),
  };
}

/** A call the old protocol answers at once, as a job that has completed and is forgotten. */
export function doneJob<R>(operation: Operation, result: R, target?: SystemSummary): JobInfo<R> {
  const now = new Date().toISOString();
  return {
    id: `done-${operation}-${Date.now().toString(36)}`,
    operation,
    ...(target === undefined ? {} : { target: { kind: 'system', id: target.uuid, name: target.name } }),
    owner: 'local',
    state: 'completed',
    percent: 100,
    createdAt: now,
    finishedAt: now,
    deleteOnCompletion: true,
    result,
  };
}

const CAUSES = ['guest', 'host', 'process-exit', 'adoption'] as const;

/** An event of the old protocol, or undefined for a kind the Api has no word for. */
export function eventOf(e: HostEvent): ApiEvent | undefined {
  const head = { seq: e.id, time: e.time };
  if (e.kind === 'state' && e.state !== undefined) {
    const cause = (CAUSES as readonly string[]).includes(e.cause)
      ? { kind: e.cause as (typeof CAUSES)[number] }
      : { kind: 'api' as const };
    return {
      ...head,
      type: 'system.state',
      system: e.name,
      uuid: e.uuid,
      state: isSystemState(e.state) ? e.state : 'unknown',
      reason: { code: 'unknown', text: e.reason },
      cause,
    };
  }
  if (e.kind === 'defined' || e.kind === 'modified' || e.kind === 'undefined')
    return { ...head, type: `system.${e.kind}`, system: e.name, uuid: e.uuid };
  if (e.kind === 'reset') return { ...head, type: 'system.reset', uuid: e.uuid, detail: e.reason };
  return undefined;
}

/** The host's own description. */
export function hostInfoOf(i: HostHostInfo, name: string, version: string): HostInfo {
  return {
    name,
    vesselVersion: version,
    startedAt: i.startedAt,
    systemCount: i.vmCount,
    transport: 'socket',
    driver: {
      uri: i.uri,
      name: i.driver,
      ...(i.hypervisorVersion === undefined ? {} : { hypervisorVersion: i.hypervisorVersion }),
    },
    local: { stateDir: i.stateDir, pid: i.pid },
  };
}

/** A storage pool; a folder that cannot be read has sizes 0, as the Api says. */
export function poolOf(p: PoolUsage): PoolInfo {
  return {
    id: p.name,
    isDefault: p.name === 'default',
    available: p.available,
    capacityBytes: BigInt(p.capacityBytes ?? 0),
    usedBytes: BigInt(p.usedBytes ?? 0),
    allowDevices: p.allowDevices,
    path: p.path,
  };
}

/** What a deploy did; `started` lists UUIDs. */
export function deployResultOf(r: HostDeployResult): DeployResult {
  const uuidOf = new Map(r.vms.map((v) => [v.name, v.uuid]));
  const s = r.signature;
  return {
    ...(r.configuration === undefined ? {} : { configuration: r.configuration }),
    systems: r.vms.map((v) => ({ systemId: v.systemId, name: v.name, uuid: v.uuid, notes: v.notes })),
    started: r.started.map((n) => uuidOf.get(n) ?? n),
    warnings: r.warnings,
    manifest: r.manifest,
    ...(s === undefined || s === null
      ? {}
      : { signature: { signer: s.signer?.subject ?? '', trusted: s.valid && s.trusted === true } }),
  };
}

/** What an export wrote, to a host path. */
export function exportResultOf(r: HostExportResult, path: string, overwrite: boolean): ExportResult {
  return {
    destination: { kind: 'hostPath', path, ...(overwrite ? { overwrite } : {}) },
    format: r.format,
    target: r.target,
    ovfVersion: r.ovfVersion,
    manifest: r.manifest,
    signed: r.signed,
    files: r.files.map((f) => ({ name: f.name, sizeBytes: BigInt(f.size) })),
    notes: r.notes,
    warnings: r.warnings,
  };
}
