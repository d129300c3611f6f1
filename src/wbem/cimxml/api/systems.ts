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
import { forcedShutdown, type ShutdownContext, TIMED_OUT, timedOut } from './forced-shutdown.js';
import type { Inventory, Listed } from './inventory.js';
import type { ClientJobs } from './jobs.js';
import { KEEP_DISKS_METHOD, keepDisksService, keptImagesOf } from './keep-disks.js';
import { changeMetadata, readMetadata } from './metadata.js';
import type { CimMetrics } from './metrics.js';
import { addResources, modifyResources, modifySettings, removeResources } from './resources.js';
import type { CimSession } from './session.js';
import { summaryOf } from './values.js';

/** The guest's time of a shutdown asked to power off after it without a time (the Api's default, 60 s). */
const DEFAULT_GUEST_MS = 60_000;

/**
 * The systems namespace over CIM-XML: DSP1057's virtual systems read with their settings; DefineSystem and
 * DestroySystem (DSP1042 §8.2), RequestStateChange (DSP1057 §8.2.1), and the settings and resource methods (in
 * resources.ts), a system's metadata through Vessel's Metadata extension of the VSSD (metadata.ts), and its
 * statistics from DSP1053's values (metrics.ts). A shutdown that powers off after the guest's time is two
 * RequestStateChange calls in one client-side job (forced-shutdown.ts).
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

  /**
   * DestroySystem. DSP1042 powers an active system off first, so the client refuses one unless `powerOff`. With
   * `keepDisks`, Vessel's DestroySystemKeepingDisks where the host's service has it (keep-disks.ts).
   */
  async undefine(ref: string, o: UndefineOptions = {}): Promise<JobInfo<UndefineResult>> {
    const x = await this.inv.find(ref);
    const { name, state } = x.summary;
    if (o.powerOff !== true) checkTransition(name, state, 'undefine');
    const keep = o.keepDisks === true;
    const ctx = { what: `Cannot undefine "${name}"`, notFound: 'VM_NOT_FOUND' } as const;
    const vsms = keep ? await keepDisksService(this.s, this.inv, name) : await this.inv.service();
    const outcome = await this.s.call(ctx, (c) =>
      c.invokeMethod(vsms, keep ? KEEP_DISKS_METHOD : 'DestroySystem', {
        AffectedSystem: { type: 'reference', value: x.cs.path },
      }),
    );
    return this.jobs.start(
      {
        operation: 'undefine',
        target: { kind: 'system', id: x.summary.uuid, name },
        ctx,
        method: 'DestroySystem',
        outcome,
        // Without keepDisks nothing is kept.
        result: async () => (keep ? keptImagesOf(this.s, outcome) : { keptImages: [] }),
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
   * shutdown or reboot, after which a Vessel host fails the job and leaves the system running; `forced` when the
   * Api asks for a power-off after it (the default of a shutdown with a time: forced-shutdown.ts does it, with the
   * Api's 60 s when only forceAfterTimeout is given). What it cannot say is NOT_SUPPORTED: a reboot forced after
   * the time and a time on a change that does not wait for a guest. A time of 0 ms is sent as 1 ms, CIM's 0 meaning
   * "no limit".
   */
  private timeoutPeriodOf(
    name: string,
    op: StateOperation,
    o: ChangeStateOptions,
  ): { forced: number } | string | undefined {
    if (o.timeoutMs === undefined && o.forceAfterTimeout === undefined) return undefined;
    if (op === 'shutdown' && o.forceAfterTimeout !== false)
      return { forced: o.timeoutMs ?? DEFAULT_GUEST_MS };
    const forced = o.forceAfterTimeout === true;
    if ((op !== 'shutdown' && op !== 'reboot') || o.timeoutMs === undefined || forced)
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
    if (typeof period === 'object') return forcedShutdown(this.shutdownContext(), x, period.forced, o.waitMs);
    const ctx = { what: `Cannot ${VERB[op]} "${name}"`, notFound: 'VM_NOT_FOUND' } as const;
    const outcome = await this.s.call(ctx, (c) =>
      c.invokeMethod(x.cs.path, 'RequestStateChange', {
        RequestedState: { type: 'uint16', value: String(REQUESTED_STATE_OF[op]) },
        ...(period === undefined ? {} : { TimeoutPeriod: { type: 'datetime', value: period } }),
      }),
    );
    if (outcome.returnValue === 0 || outcome.returnValue === 4096) this.inv.recordAsked(uuid, op);
    if (period !== undefined && outcome.returnValue === TIMED_OUT && (op === 'shutdown' || op === 'reboot'))
      return timedOut(this.shutdownContext(), op, x, o.timeoutMs ?? 0, o.waitMs);
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

  private shutdownContext(): ShutdownContext {
    return { s: this.s, inv: this.inv, jobs: this.jobs, refusal: (x, op) => this.refusal(x, op) };
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
