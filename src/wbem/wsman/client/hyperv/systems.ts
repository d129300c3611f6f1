import { setTimeout as sleep } from 'node:timers/promises';
import {
  ALLOWED_FROM,
  ApiError,
  type ChangeStateOptions,
  type JobInfo,
  type JobOptions,
  type ResourceResult,
  type StateOperation,
  type SystemDetail,
  type SystemQuery,
  type SystemStats,
  type SystemSummary,
  type SystemsApi,
  type UndefineOptions,
  type UndefineResult,
  VERB,
} from '../../../../api/index.js';
import type { CimInstance } from '../../../../cim/index.js';
import type { VirtualSystemDefinition } from '../../../../model/index.js';
import { defineVm } from './define.js';
import type { HypervJobs } from './jobs.js';
import { componentQuery, MSVM, REQUESTED_STATE, SETTINGS_CLASSES, vssdQuery, wqlString } from './names.js';
import type { HypervSession, Located } from './session.js';
import { definitionOfSettings, summaryOfVm } from './values.js';

const text = (i: CimInstance, p: string): string | undefined => {
  const v = i.properties[p];
  return typeof v === 'string' ? v : undefined;
};

/** How long a guest has to shut down when the caller does not say (the Api's default). */
const SHUTDOWN_MS = 60_000;

/**
 * The systems of a Hyper-V host over WMI v2: list, get, define, undefine and state changes, as libvirt's hyperv
 * driver makes them (see names.ts, define.ts). Edits of a defined VM, statistics and metadata are NOT_SUPPORTED:
 * this profile does not map them yet.
 *
 * @example
 * const vms = await new HypervSystems(session, jobs).list();
 */
export class HypervSystems implements SystemsApi {
  constructor(
    private readonly s: HypervSession,
    private readonly jobs: HypervJobs,
  ) {}

  list(q?: SystemQuery & { detail?: false }): Promise<SystemSummary[]>;
  list(q: SystemQuery & { detail: true }): Promise<SystemDetail[]>;
  list(q?: SystemQuery): Promise<SystemSummary[] | SystemDetail[]>;
  async list(q: SystemQuery = {}): Promise<SystemSummary[] | SystemDetail[]> {
    const vms = await this.s.vms({ what: 'Listing the virtual machines' });
    let rows = vms
      .map((cs) => ({ cs, summary: summaryOfVm(cs) }))
      .filter((r) => q.states === undefined || q.states.includes(r.summary.state))
      .filter((r) => q.after === undefined || r.summary.name > q.after)
      .sort((a, b) => (a.summary.name < b.summary.name ? -1 : a.summary.name > b.summary.name ? 1 : 0));
    if (q.limit !== undefined) rows = rows.slice(0, q.limit);
    if (!q.detail) return rows.map((r) => r.summary);
    const out: SystemDetail[] = [];
    for (const r of rows) out.push(await this.detail(r.cs, r.summary));
    return out;
  }

  private async detail(cs: Located, summary: SystemSummary): Promise<SystemDetail> {
    const ctx = { what: `Reading the settings of "${summary.name}"`, notFound: 'VM_NOT_FOUND' as const };
    const [vssd] = await this.s.query(ctx, vssdQuery(text(cs, 'Name') ?? ''));
    const id = vssd && text(vssd, 'InstanceID');
    if (vssd === undefined || id === undefined)
      throw new ApiError('PROTOCOL', `"${summary.name}" on ${this.s.where} has no ${MSVM.vssd}`);
    const settings: CimInstance[] = [];
    for (const cls of SETTINGS_CLASSES) settings.push(...(await this.s.query(ctx, componentQuery(id, cls))));
    const switches = new Map<string, string>();
    if (settings.some((i) => i.className === MSVM.connection))
      for (const sw of await this.s.query(ctx, `SELECT * FROM ${MSVM.switch}`)) {
        const name = text(sw, 'Name');
        const label = text(sw, 'ElementName');
        if (name !== undefined && label !== undefined) switches.set(name.toUpperCase(), label);
      }
    return {
      ...summary,
      definition: definitionOfSettings(vssd, settings, switches),
      etag: `${id}@${text(vssd, 'ConfigurationID') ?? ''}`.slice(0, 128),
      consoles: [],
    };
  }

  async get(ref: string): Promise<SystemDetail> {
    const cs = await this.s.findVm(ref, `Reading "${ref.slice(0, 128)}"`);
    return this.detail(cs, summaryOfVm(cs));
  }

  /** Waits for Hyper-V's jobs whatever `waitMs` says: the job answered has ended. */
  async define(def: VirtualSystemDefinition, _o?: JobOptions): Promise<JobInfo<SystemSummary>> {
    const name = String(def.system.ElementName ?? '');
    return this.jobs.run('define', { kind: 'system', id: name, name }, async () =>
      summaryOfVm(await defineVm(this.s, def)),
    );
  }

  async undefine(ref: string, o: UndefineOptions = {}): Promise<JobInfo<UndefineResult>> {
    const what = `Cannot undefine "${ref.slice(0, 128)}"`;
    if (o.keepDisks)
      throw new ApiError('NOT_SUPPORTED', `${what}: keepDisks has no meaning on Hyper-V`, {
        hint: "Hyper-V's DestroySystem never deletes the virtual hard disks: leave --keep-disks out",
      });
    const cs = await this.s.findVm(ref, what);
    const vm = summaryOfVm(cs);
    return this.jobs.run('undefine', { kind: 'system', id: vm.uuid, name: vm.name }, async () => {
      if (vm.state !== 'stopped' && !o.powerOff)
        throw new ApiError('INVALID_STATE', `${what}: it is ${vm.state}`, {
          hint: 'Stop it first (vessel vm stop), or ask for powerOff',
        });
      const svc = await this.s.managementService();
      await this.s.invoke({ what, notFound: 'VM_NOT_FOUND' }, svc.path, 'DestroySystem', {
        AffectedSystem: { type: 'reference', value: cs.path },
      });
      return { keptImages: [] };
    });
  }

  async changeState(
    ref: string,
    op: StateOperation,
    o: ChangeStateOptions = {},
  ): Promise<JobInfo<SystemSummary>> {
    const what = `Cannot ${VERB[op]} "${ref.slice(0, 128)}"`;
    const cs = await this.s.findVm(ref, what);
    const vm = summaryOfVm(cs);
    if (!ALLOWED_FROM[op].includes(vm.state))
      throw new ApiError('INVALID_STATE', `Cannot ${VERB[op]} "${vm.name}": it is ${vm.state}`);
    return this.jobs.run(op, { kind: 'system', id: vm.uuid, name: vm.name }, async () => {
      const ctx = { what: `Cannot ${VERB[op]} "${vm.name}"`, notFound: 'VM_NOT_FOUND' as const };
      if (op === 'shutdown') await this.shutdown(cs, ctx.what, o);
      else
        await this.s.invoke(ctx, cs.path, 'RequestStateChange', {
          RequestedState: { type: 'uint16', value: String(REQUESTED_STATE[op]) },
        });
      return summaryOfVm(await this.s.get(ctx, cs.path).then((i) => ({ ...i, path: cs.path })));
    });
  }

  /**
   * Shutdown through the guest's shutdown integration service (Msvm_ShutdownComponent InitiateShutdown, Force
   * true as libvirt sends it), then waiting for EnabledState 3 for `timeoutMs`; a guest still running then is
   * powered off (RequestStateChange 3) unless `forceAfterTimeout` is false.
   */
  private async shutdown(cs: Located, what: string, o: ChangeStateOptions): Promise<void> {
    const ctx = { what, notFound: 'VM_NOT_FOUND' as const };
    const guid = text(cs, 'Name') ?? '';
    const [component] = await this.s.query(
      ctx,
      `SELECT * FROM ${MSVM.shutdown} WHERE SystemName = ${wqlString(guid)}`,
    );
    if (component === undefined)
      throw new ApiError(
        'INVALID_STATE',
        `${what}: the guest's shutdown integration service is not running`,
        {
          hint: 'Power it off instead: vessel vm stop --force',
        },
      );
    await this.s.invoke(ctx, component.path, 'InitiateShutdown', {
      Force: { type: 'boolean', value: 'true' },
      Reason: { type: 'string', value: 'Vessel: shutdown asked by the management client' },
    });
    const end = Date.now() + (o.timeoutMs ?? SHUTDOWN_MS);
    for (;;) {
      const now = summaryOfVm(await this.s.get(ctx, cs.path));
      if (now.state === 'stopped') return;
      if (Date.now() >= end) break;
      await sleep(200);
    }
    if (o.forceAfterTimeout === false)
      throw new ApiError('TIMEOUT', `${what}: the guest did not power off in time`);
    await this.s.invoke(ctx, cs.path, 'RequestStateChange', {
      RequestedState: { type: 'uint16', value: String(REQUESTED_STATE.powerOff) },
    });
  }

  private refuse(what: string): never {
    throw new ApiError(
      'NOT_SUPPORTED',
      `Cannot ${what} over Hyper-V's WMI: this profile does not map it yet`,
      {
        hint: 'Use Hyper-V Manager or PowerShell (Set-VM, Add-VMHardDiskDrive) for this',
      },
    );
  }

  async modifySettings(): Promise<JobInfo<SystemDetail>> {
    return this.refuse('change the settings of a defined system');
  }

  async addResources(): Promise<JobInfo<ResourceResult>> {
    return this.refuse('add resources to a defined system');
  }

  async modifyResources(): Promise<JobInfo<ResourceResult>> {
    return this.refuse('change the resources of a defined system');
  }

  async removeResources(): Promise<JobInfo<ResourceResult>> {
    return this.refuse('remove resources of a defined system');
  }

  async stats(): Promise<SystemStats> {
    return this.refuse('read statistics');
  }

  async metadata(): Promise<Record<string, string>> {
    return this.refuse('read metadata');
  }

  async setMetadata(): Promise<void> {
    return this.refuse('write metadata');
  }
}
