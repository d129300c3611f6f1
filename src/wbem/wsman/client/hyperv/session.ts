import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError } from '../../../../api/index.js';
import { type CimInstance, type CimInstanceName, isInstanceName } from '../../../../cim/index.js';
import type { CallContext } from '../../../cimxml/api/index.js';
import type { MethodOutcome } from '../../../cimxml/client.js';
import type { ParamIn } from '../../../cimxml/encode-request.js';
import type { WsmanClient } from '../client.js';
import { hypervError, returnCodeError } from './errors.js';
import { JOB_COMPLETED, JOB_FAILED_STATES, JOB_RUNNING, MSVM, vmQuery } from './names.js';

/** A Hyper-V instance read with its EPR. */
export type Located = CimInstance & { path: CimInstanceName };

/** How long a Hyper-V job may run before the client gives up (libvirt's HYPERV_JOB_TIMEOUT_MS: 5 minutes). */
export const JOB_TIMEOUT_MS = 300_000;

const GUID = /^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i;

const text = (i: CimInstance, p: string): string | undefined => {
  const v = i.properties[p];
  return typeof v === 'string' ? v : undefined;
};

/**
 * One connection's calls to Hyper-V's WMI v2 over WS-Man: WQL enumerations, methods with their return values and
 * Msvm_ConcreteJob polling, and the lookups every namespace needs (a VM by name or GUID, the management service).
 * Every failure is an ApiError naming what was asked of which host.
 *
 * @example
 * const s = new HypervSession(new WsmanClient(url, { uriStyle: 'wmi', namespace: HYPERV_NAMESPACE }));
 * const vm = await s.findVm('web1', 'Starting "web1"');
 */
export class HypervSession {
  readonly where: string;
  private service: Promise<Located> | undefined;

  constructor(
    readonly wsman: WsmanClient,
    readonly jobTimeoutMs = JOB_TIMEOUT_MS,
  ) {
    this.where = `Hyper-V at ${wsman.url.host}`;
  }

  /** Runs one call, its failure as an ApiError. */
  async call<T>(ctx: CallContext, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      throw hypervError(e, ctx, this.where);
    }
  }

  /** The instances a WQL query selects (or ASSOCIATORS OF), each with its EPR. */
  query(ctx: CallContext, wql: string): Promise<Located[]> {
    return this.call(ctx, async () => {
      const items = await this.wsman.enumerateAll(undefined, { filter: { wql }, mode: 'objectAndEpr' });
      return items.flatMap((i) => (i.instance?.path !== undefined ? [i.instance as Located] : []));
    });
  }

  /** Reads one instance again by its EPR. */
  get(ctx: CallContext, name: CimInstanceName): Promise<CimInstance> {
    return this.call(ctx, () => this.wsman.getInstance(name));
  }

  /**
   * Every virtual machine (Msvm_ComputerSystem with Description "Microsoft Virtual Machine"; the host's own
   * Msvm_ComputerSystem is left out by the query).
   */
  vms(ctx: CallContext, and?: { Name?: string; ElementName?: string }): Promise<Located[]> {
    return this.query(ctx, vmQuery(and));
  }

  /**
   * The VM a reference names: its GUID (Name, any case, braces allowed), else its ElementName. Hyper-V allows two
   * VMs of one name: such a name is INVALID_ARGUMENT, asking for the GUID.
   */
  async findVm(ref: string, what: string): Promise<Located> {
    const ctx: CallContext = { what, notFound: 'VM_NOT_FOUND' };
    const guid = GUID.test(ref) ? ref.replace(/[{}]/g, '') : undefined;
    const found =
      guid === undefined ? await this.vms(ctx, { ElementName: ref }) : await this.vms(ctx, { Name: guid });
    if (found.length === 0)
      throw new ApiError(
        'VM_NOT_FOUND',
        `${what}: ${this.where} has no virtual machine "${ref.slice(0, 128)}"`,
      );
    if (found.length > 1)
      throw new ApiError(
        'INVALID_ARGUMENT',
        `${what}: ${this.where} has ${found.length} virtual machines named "${ref.slice(0, 128)}"`,
        { hint: `Name one by its GUID: ${found.map((v) => text(v, 'Name')).join(', ')}` },
      );
    return found[0]!;
  }

  /** The Msvm_VirtualSystemManagementService (one per host), read once. */
  managementService(): Promise<Located> {
    this.service ??= (async () => {
      const ctx = { what: `Finding ${MSVM.vsms}` };
      const [svc] = await this.query(ctx, `SELECT * FROM ${MSVM.vsms}`);
      if (svc === undefined)
        throw new ApiError(
          'NOT_SUPPORTED',
          `${this.where} has no ${MSVM.vsms}: is the Hyper-V role installed?`,
        );
      return svc;
    })();
    this.service.catch(() => {
      this.service = undefined;
    });
    return this.service;
  }

  /**
   * Calls a method and waits for its end: 0 is done; 4096 hands a Msvm_ConcreteJob that is polled (Get on its EPR)
   * until it completes, fails (8-11: its ErrorDescription in the message) or outlives the job timeout; any other
   * return value is the error of {@link returnCodeError}.
   *
   * @example
   * await s.invoke(ctx, vm.path, 'RequestStateChange', { RequestedState: { type: 'uint16', value: '2' } });
   */
  async invoke(
    ctx: CallContext,
    target: CimInstanceName,
    method: string,
    params: Record<string, ParamIn | undefined>,
  ): Promise<MethodOutcome> {
    const out = await this.call(ctx, () => this.wsman.invoke(target, method, params));
    if (out.returnValue === 0) return out;
    if (out.returnValue !== 4096) throw returnCodeError(method, out.returnValue, ctx.what, this.where);
    const job = out.out.Job;
    if (!isInstanceName(job))
      throw new ApiError(
        'PROTOCOL',
        `${ctx.what} on ${this.where}: ${method} answered 4096 (job started) without a Job reference`,
      );
    await this.waitJob(ctx, method, job);
    return out;
  }

  private async waitJob(ctx: CallContext, method: string, name: CimInstanceName): Promise<void> {
    const end = Date.now() + this.jobTimeoutMs;
    let pause = 50;
    for (;;) {
      const job = await this.get({ what: `${ctx.what}: reading ${method}'s job` }, name);
      const raw = text(job, 'JobState')?.trim() ?? '';
      const state = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
      if (state === JOB_COMPLETED) return;
      const failed = JOB_FAILED_STATES[state];
      if (failed !== undefined) {
        const why = (text(job, 'ErrorDescription') ?? text(job, 'ErrorSummaryDescription') ?? '').slice(
          0,
          1000,
        );
        const code = text(job, 'ErrorCode');
        throw new ApiError(
          'HYPERVISOR_FAILED',
          `${ctx.what} on ${this.where}: ${method}'s job ended ${failed}${code ? ` (error ${code.slice(0, 32)})` : ''}${why ? `: ${why}` : ''}`,
          { detail: { domain: 'hyperv', code: `${method}:job:${state}` } },
        );
      }
      if (!JOB_RUNNING.has(state))
        throw new ApiError(
          'PROTOCOL',
          `${ctx.what} on ${this.where}: ${method}'s job has JobState "${raw.slice(0, 32)}", which CIM_ConcreteJob does not define`,
        );
      if (Date.now() >= end)
        throw new ApiError(
          'TIMEOUT',
          `${ctx.what} on ${this.where}: ${method}'s job has not ended after ${this.jobTimeoutMs / 1000} s`,
          { hint: 'Hyper-V may still finish it; look with vessel vm list' },
        );
      await sleep(pause);
      pause = Math.min(pause * 2, 500);
    }
  }

  close(): void {
    this.wsman.close();
  }
}
