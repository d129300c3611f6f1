import {
  ApiError,
  type ChangeStateOptions,
  isFinalJobState,
  type JobInfo,
  resultOf,
  type StateOperation,
  type SystemDetail,
  type SystemSummary,
} from '../../api/index.js';
import type { CimInstanceName } from '../../cim/index.js';
import type { VirtualSystemDefinition } from '../../model/index.js';
import { type CimOperations, CimXmlApi } from './api/index.js';
import type { CimClient } from './client.js';

/** A virtual system as a remote DSP1057 implementation shows it (the Api's summary). */
export type RemoteSystem = SystemSummary;

/** The job, or TIMEOUT when it has not ended within `waitMs` (> 0); a failed job throws its error. */
function ended<R>(job: JobInfo<R>, waitMs: number, what: string): JobInfo<R> {
  if (waitMs === 0) return job;
  if (!isFinalJobState(job.state))
    throw new ApiError(
      'TIMEOUT',
      `${what}: job ${job.id} did not end within ${Math.round(waitMs / 1000)} s`,
      {
        hint: `It goes on: follow it with jobs.get("${job.id}")`,
      },
    );
  resultOf(job);
  return job;
}

/**
 * The SDK's remote host: a few plain calls over {@link CimXmlApi}, for any host that implements DSP1042/DSP1057
 * over CIM-XML (Vessel, libvirt-cim, others). Every call is the Api's and fails with its ApiError codes; use
 * `api` for the rest of the Api.
 *
 * @example
 * const remote = await RemoteHost.connect(new CimClient('https://host1:5989', { user, password, ca }));
 * await remote.change('web1', 'start');
 */
export class RemoteHost {
  private constructor(readonly api: CimXmlApi) {}

  /** Discovers the implementation namespace and the host through the registered DSP1042 profile. */
  static async connect(client: CimClient): Promise<RemoteHost> {
    return new RemoteHost(await CimXmlApi.over(client));
  }

  get client(): CimOperations {
    return this.api.client;
  }

  /** The implementation namespace. */
  get namespace(): string {
    return this.api.session.namespace;
  }

  /** The host system (the DSP1042 scoping instance). */
  get host(): CimInstanceName {
    return this.api.session.found.host;
  }

  /** The virtual systems, by name. */
  list(): Promise<RemoteSystem[]> {
    return this.api.systems.list();
  }

  /** A system by its name or UUID, or VM_NOT_FOUND naming the host. */
  find(nameOrUuid: string): Promise<SystemDetail> {
    return this.api.systems.get(nameOrUuid);
  }

  /**
   * Changes a system's state (RequestStateChange) and waits up to `waitMs` for its job (0: answer the job at once).
   * Options the DMTF method cannot carry (a guest timeout) are NOT_SUPPORTED.
   */
  async change(
    nameOrUuid: string,
    op: StateOperation,
    waitMs = 300_000,
    o: Omit<ChangeStateOptions, 'waitMs'> = {},
  ): Promise<JobInfo<SystemSummary>> {
    const job = await this.api.systems.changeState(nameOrUuid, op, { ...o, waitMs });
    return ended(job, waitMs, `Cannot ${op} "${nameOrUuid}"`);
  }

  /** Defines a system from the one model with DefineSystem; returns its name. */
  async define(def: VirtualSystemDefinition, waitMs = 300_000): Promise<string> {
    const what = `Cannot define "${def.system.ElementName ?? ''}"`;
    const job = ended(await this.api.systems.define(def, { waitMs }), waitMs, what);
    return job.result?.name ?? def.system.ElementName ?? '';
  }

  /** Removes a stopped system with DestroySystem (`powerOff`: an active one too, powered off first). */
  async destroy(nameOrUuid: string, o: { powerOff?: boolean; waitMs?: number } = {}): Promise<void> {
    const waitMs = o.waitMs ?? 300_000;
    const job = await this.api.systems.undefine(nameOrUuid, { waitMs, powerOff: o.powerOff ?? false });
    ended(job, waitMs, `Cannot undefine "${nameOrUuid}"`);
  }

  /** A system's definition, read back as the one model (its VSSD and RASDs). */
  async definition(nameOrUuid: string): Promise<VirtualSystemDefinition> {
    return (await this.api.systems.get(nameOrUuid)).definition;
  }
}
