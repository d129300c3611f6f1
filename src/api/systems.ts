import type { ResourceSetting, VirtualSystemDefinition, VssdProperties } from '../model/index.js';
import type { JobOptions, SystemRef } from './common.js';
import type { JobInfo } from './jobs.js';
import type { StateOperation } from './operations.js';
import type {
  ChangeStateOptions,
  EditOptions,
  ResourceChange,
  ResourceResult,
  SystemDetail,
  SystemQuery,
  SystemStats,
  SystemSummary,
  UndefineOptions,
  UndefineResult,
} from './systems-data.js';

/**
 * The virtual systems of a host: their definitions (VSSD + RASDs, the model's), states and metadata. Every change
 * is a job; `waitMs` says how long the call waits for it.
 *
 * @example
 * const job = await api.systems.define(def, { waitMs: Number.POSITIVE_INFINITY });
 * const web1 = resultOf(job);
 * await api.systems.changeState(web1.uuid, 'start', { waitMs: 5000 });
 */
export interface SystemsApi {
  list(q?: SystemQuery & { detail?: false }): Promise<SystemSummary[]>;
  /** With definitions, in one store read (CIM enumerations of RASDs, REST lists). */
  list(q: SystemQuery & { detail: true }): Promise<SystemDetail[]>;
  list(q?: SystemQuery): Promise<SystemSummary[] | SystemDetail[]>;
  get(ref: SystemRef): Promise<SystemDetail>;
  define(def: VirtualSystemDefinition, o?: JobOptions): Promise<JobInfo<SystemSummary>>;
  /**
   * `powerOff`: power an active system off first (CIM DestroySystem); `keepDisks`: keep the guest's data as
   * images in a storage pool, listed in the result (issue 11).
   */
  undefine(ref: SystemRef, o?: UndefineOptions): Promise<JobInfo<UndefineResult>>;
  modifySettings(ref: SystemRef, changes: VssdProperties, o?: EditOptions): Promise<JobInfo<SystemDetail>>;
  /** All-or-nothing; `live: 'auto'` hot-plugs into a running system. */
  addResources(
    ref: SystemRef,
    add: readonly ResourceSetting[],
    o?: EditOptions,
  ): Promise<JobInfo<ResourceResult>>;
  modifyResources(
    ref: SystemRef,
    changes: readonly ResourceChange[],
    o?: EditOptions,
  ): Promise<JobInfo<ResourceResult>>;
  removeResources(
    ref: SystemRef,
    instanceIds: readonly string[],
    o?: EditOptions,
  ): Promise<JobInfo<ResourceResult>>;
  changeState(ref: SystemRef, op: StateOperation, o?: ChangeStateOptions): Promise<JobInfo<SystemSummary>>;
  stats(ref: SystemRef): Promise<SystemStats>;
  /** Free-form metadata (a deploy's `ovf.*`); password-typed property values are never returned. */
  metadata(ref: SystemRef): Promise<Record<string, string>>;
  /** Sets one key, or removes it with `undefined`. */
  setMetadata(ref: SystemRef, key: string, value: string | undefined): Promise<void>;
}
