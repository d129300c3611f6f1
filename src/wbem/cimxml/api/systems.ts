import {
  ApiError,
  type ChangeStateOptions,
  checkTransition,
  type EditOptions,
  isStateOperation,
  type JobInfo,
  type JobOptions,
  REQUESTED_STATE_OF,
  type ResourceChange,
  type ResourceResult,
  type StateOperation,
  type SystemDetail,
  type SystemQuery,
  type SystemStats,
  type SystemSummary,
  type SystemsApi,
  transitionRefusal,
  type UndefineOptions,
  type UndefineResult,
  VERB,
} from '../../../api/index.js';
import { cimInterval, isInstanceName } from '../../../cim/index.js';
import type { ResourceSetting, VirtualSystemDefinition, VssdProperties } from '../../../model/index.js';
import { definitionInstances } from './definitions.js';
import type { Inventory, Listed } from './inventory.js';
import type { ClientJobs } from './jobs.js';
import { changeMetadata, readMetadata } from './metadata.js';
import type { CimMetrics } from './metrics.js';
import { addResources, modifyResources, modifySettings, removeResources } from './resources.js';
import type { CimSession } from './session.js';
import { summaryOf } from './values.js';

/**
 * The systems namespace over CIM-XML: DSP1057's virtual systems read with their settings; DefineSystem and
 * DestroySystem (DSP1042 §8.2), RequestStateChange (DSP1057 §8.2.1), and the settings and resource methods (in
 * resources.ts), a system's metadata through Vessel's Metadata extension of the VSSD (metadata.ts), and its
 * statistics from DSP1053's values (metrics.ts). What DSP1042/DSP1057 have no word for is NOT_SUPPORTED: a
 * guest's shutdown timeout, keeping disks on undefine.
 *
 * @example
 * const job = await api.systems.changeState('web1', 'pause', { waitMs: 5000 });
 */
export class CimSystems implements SystemsApi {
  constructor(
    private readonly s: CimSession,
    private readonly inv: Inventory,
    private readonly jobs: ClientJobs,
    private readonly operations: () => Promise<StateOperation[]>,
    private readonly metrics: CimMetrics,
  ) {}

  async list(q?: SystemQuery & { detail?: false }): Promise<SystemSummary[]>;
  async list(q: SystemQuery & { detail: true }): Promise<SystemDetail[]>;
  async list(q?: SystemQuery): Promise<SystemSummary[] | SystemDetail[]>;
  async list(q: SystemQuery = {}): Promise<SystemSummary[] | SystemDetail[]> {
    const chosen = (await this.inv.list())
      .filter((x) => q.states === undefined || q.states.includes(x.summary.state))
      .filter((x) => q.after === undefined || x.summary.name > q.after)
      .slice(0, q.limit);
    if (q.detail !== true) return chosen.map((x) => x.summary);
    const out: SystemDetail[] = [];
    for (const x of chosen) out.push(await this.inv.detail(x));
    return out;
  }

  async get(ref: string): Promise<SystemDetail> {
    return this.inv.detail(await this.inv.find(ref));
  }

  /** DefineSystem with the VSSD and RASDs as embedded instances of the host's classes. */
  async define(def: VirtualSystemDefinition, o: JobOptions = {}): Promise<JobInfo<SystemSummary>> {
    const name = def.system.ElementName ?? '';
    const ctx = {
      what: `Cannot define "${name}"`,
      invalid: 'DEFINITION_INVALID',
      exists: 'VM_EXISTS',
    } as const;
    const { system, resources } = await definitionInstances(this.s, def, ctx.what);
    const vsms = await this.inv.service();
    const outcome = await this.s.call(ctx, (c) =>
      c.invokeMethod(
        vsms,
        'DefineSystem',
        {
          SystemSettings: { type: 'string', embedded: true, value: system },
          ResourceSettings: { type: 'string', embedded: true, value: resources },
        },
        this.s.lookup,
      ),
    );
    const made = outcome.out.ResultingSystem;
    return this.jobs.start(
      {
        operation: 'define',
        target: { kind: 'system', id: def.system.VirtualSystemIdentifier ?? name, name },
        ctx,
        method: 'DefineSystem',
        outcome,
        result: async () => {
          if (made !== undefined && isInstanceName(made)) {
            const cs = await this.s.call(ctx, (c) =>
              c.getInstance({ ...made, namespace: made.namespace ?? this.s.namespace, host: undefined }),
            );
            const listed = (await this.inv.list()).find((x) => x.summary.uuid === summaryOf(cs, '').uuid);
            if (listed !== undefined) return listed.summary;
          }
          return (await this.inv.find(name)).summary;
        },
      },
      o.waitMs,
    );
  }

  /** DestroySystem. DSP1042 powers an active system off first, so the client refuses one unless `powerOff`. */
  async undefine(ref: string, o: UndefineOptions = {}): Promise<JobInfo<UndefineResult>> {
    if (o.keepDisks === true)
      throw new ApiError(
        'NOT_SUPPORTED',
        `Cannot undefine "${ref}" keeping its disks: DestroySystem (DSP1042) has no such choice; ${this.s.where} decides what happens to them`,
      );
    const x = await this.inv.find(ref);
    const { name, state } = x.summary;
    if (o.powerOff !== true) checkTransition(name, state, 'undefine');
    const ctx = { what: `Cannot undefine "${name}"`, notFound: 'VM_NOT_FOUND' } as const;
    const vsms = await this.inv.service();
    const outcome = await this.s.call(ctx, (c) =>
      c.invokeMethod(vsms, 'DestroySystem', { AffectedSystem: { type: 'reference', value: x.cs.path } }),
    );
    return this.jobs.start(
      {
        operation: 'undefine',
        target: { kind: 'system', id: x.summary.uuid, name },
        ctx,
        method: 'DestroySystem',
        outcome,
        result: async () => ({ keptImages: [] }), // without keepDisks nothing is kept
      },
      o.waitMs,
    );
  }

  modifySettings(ref: string, changes: VssdProperties, o: EditOptions = {}): Promise<JobInfo<SystemDetail>> {
    return modifySettings(this.ctx(), ref, changes, o);
  }

  addResources(
    ref: string,
    add: readonly ResourceSetting[],
    o: EditOptions = {},
  ): Promise<JobInfo<ResourceResult>> {
    return addResources(this.ctx(), ref, add, o);
  }

  modifyResources(
    ref: string,
    changes: readonly ResourceChange[],
    o: EditOptions = {},
  ): Promise<JobInfo<ResourceResult>> {
    return modifyResources(this.ctx(), ref, changes, o);
  }

  removeResources(
    ref: string,
    instanceIds: readonly string[],
    o: EditOptions = {},
  ): Promise<JobInfo<ResourceResult>> {
    return removeResources(this.ctx(), ref, instanceIds, o);
  }

  /**
   * The TimeoutPeriod of a state change (CIM_EnabledLogicalElement.RequestStateChange): the guest's time of a
   * shutdown or reboot, after which a Vessel host fails the job and leaves the system running. What it cannot say
   * is NOT_SUPPORTED: a forced power-off after the time (the Api's default for a shutdown with a time) and a time
   * on a change that does not wait for a guest. A time of 0 ms is sent as 1 ms, CIM's 0 meaning "no limit".
   */
  private timeoutPeriodOf(name: string, op: StateOperation, o: ChangeStateOptions): string | undefined {
    if (o.timeoutMs === undefined && o.forceAfterTimeout === undefined) return undefined;
    const guest = op === 'shutdown' || op === 'reboot';
    const forced = op === 'shutdown' ? o.forceAfterTimeout !== false : o.forceAfterTimeout === true;
    if (!guest || o.timeoutMs === undefined || forced)
      throw new ApiError(
        'NOT_SUPPORTED',
        `Cannot ${VERB[op]} "${name}" ${forced ? 'with a power-off after a guest timeout' : 'with a guest timeout'}: RequestStateChange (DSP1057) carries only a TimeoutPeriod for a shutdown or reboot, which fails the job when the guest is late; ${this.s.where} applies its own otherwise`,
        {
          hint: forced
            ? 'Leave out the timeout, or power the system off'
            : 'Give a shutdown or reboot a timeout, or leave the timeout out',
        },
      );
    return cimInterval(Math.max(1, o.timeoutMs));
  }

  /**
   * RequestStateChange with the RequestedState of `op` (cim-values.ts). The client refuses what the state does
   * not allow before asking (CIM's 2 would start a stopped system asked to resume), and what the host does not
   * offer; a host's 4097 is INVALID_STATE with the same words.
   */
  async changeState(
    ref: string,
    op: StateOperation,
    o: ChangeStateOptions = {},
  ): Promise<JobInfo<SystemSummary>> {
    if (!isStateOperation(op))
      throw new ApiError('INVALID_ARGUMENT', `Unknown state operation "${String(op)}"`);
    const x = await this.inv.find(ref);
    const { name, state, uuid } = x.summary;
    const period = this.timeoutPeriodOf(name, op, o);
    if (!(await this.operations()).includes(op))
      throw new ApiError(
        'NOT_SUPPORTED',
        `Cannot ${VERB[op]} "${name}": ${this.s.where} does not offer RequestedState ${REQUESTED_STATE_OF[op]} for its virtual systems`,
      );
    checkTransition(name, state, op);
    const ctx = { what: `Cannot ${VERB[op]} "${name}"`, notFound: 'VM_NOT_FOUND' } as const;
    const outcome = await this.s.call(ctx, (c) =>
      c.invokeMethod(x.cs.path, 'RequestStateChange', {
        RequestedState: { type: 'uint16', value: String(REQUESTED_STATE_OF[op]) },
        ...(period === undefined ? {} : { TimeoutPeriod: { type: 'datetime', value: period } }),
      }),
    );
    if (outcome.returnValue === 0 || outcome.returnValue === 4096) this.inv.recordAsked(uuid, op);
    return this.jobs.start(
      {
        operation: op,
        target: { kind: 'system', id: uuid, name },
        ctx,
        method: 'RequestStateChange',
        outcome,
        result: async () => (await this.inv.find(uuid)).summary,
      },
      o.waitMs,
      (value) => (value === 4097 ? this.refusal(x, op) : undefined),
    );
  }

  /** A host's 4097 (Invalid State Transition) in the words the Api uses, from the state before the call. */
  private refusal(x: Listed, op: StateOperation): ApiError {
    const why = transitionRefusal(x.summary.name, x.summary.state, op);
    return new ApiError(
      'INVALID_STATE',
      why ?? `Cannot ${VERB[op]} "${x.summary.name}": ${this.s.where} refuses it in its present state`,
      { detail: { domain: 'cim', code: 'RequestStateChange:4097' } },
    );
  }

  /** The latest DSP1053 values of the system (the host's sampler's, not a live reading). */
  stats(ref: string): Promise<SystemStats> {
    return this.metrics.stats(ref);
  }

  /** Vessel's Metadata of the VSSD (a Vessel extension, metadata.ts); NOT_SUPPORTED where the class has none. */
  metadata(ref: string): Promise<Record<string, string>> {
    return readMetadata(this.s, this.inv, ref);
  }

  /** ModifySystemSettings with Vessel's Metadata and the MetadataTag it was read with (metadata.ts). */
  setMetadata(ref: string, key: string, value: string | undefined): Promise<void> {
    return changeMetadata(this.s, this.inv, ref, key, value);
  }

  private ctx() {
    return { s: this.s, inv: this.inv, jobs: this.jobs };
  }
}
