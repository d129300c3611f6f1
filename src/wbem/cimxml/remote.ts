import {
  type CimClass,
  CimError,
  type CimInstance,
  type CimInstanceName,
  resolveClass,
  samePath,
} from '../../cim/index.js';
import type { RasdClass, ResourceSetting, VirtualSystemDefinition } from '../../model/index.js';
import type { CimClient } from './client.js';
import { CimXmlError } from './errors.js';

/** The state of a remote virtual system, from its EnabledState (DSP1057; Hyper-V's vendor values too). */
export type RemoteState = 'running' | 'stopped' | 'paused' | 'suspended' | 'starting' | 'stopping' | 'other';

/** A virtual system as a remote DSP1057 implementation shows it. */
export interface RemoteSystem {
  name: string;
  /** VirtualSystemIdentifier or the UUID in OtherIdentifyingInfo, when the server gives one. */
  uuid?: string | undefined;
  state: RemoteState;
  enabledState: number;
  path: CimInstanceName;
}

const INTEROP = ['root/interop', 'interop', 'root/PG_InterOp'];

function stateOf(e: number): RemoteState {
  if (e === 2) return 'running';
  if (e === 3) return 'stopped';
  if (e === 9 || e === 32768 || e === 32776) return 'paused';
  if (e === 6 || e === 32769) return 'suspended';
  if (e === 10 || e === 32770) return 'starting';
  if (e === 4 || e === 32774) return 'stopping';
  return 'other';
}

/** RequestStateChange values for the operations `vessel vm` offers (DSP1057 §8.2.1). */
export const REQUESTED = {
  start: 2,
  poweroff: 3,
  shutdown: 4,
  pause: 9,
  resume: 2,
  reboot: 10,
  reset: 11,
} as const;

function fail(message: string): CimXmlError {
  return new CimXmlError('CIMXML_REMOTE_FAILED', message);
}

/**
 * Virtual systems on any host that implements DSP1042/DSP1057 over CIM-XML (Vessel, libvirt-cim, others): it
 * finds the implementation namespace through profile registration in the interop namespace (DSP1033), the host
 * through DSP1042's conformance, the systems as the host's other CIM_ComputerSystems, and changes them only with
 * the DMTF methods (RequestStateChange, DefineSystem, DestroySystem), following ConcreteJobs when a method answers
 * 4096. Nothing here depends on Vessel's own classes.
 *
 * @example
 * const remote = await RemoteHost.connect(new CimClient('https://host1:5989', { user, password, ca }));
 * await remote.change('web1', 'start');
 */
export class RemoteHost {
  private readonly classes = new Map<string, CimClass>();

  private constructor(
    readonly client: CimClient,
    readonly namespace: string,
    readonly host: CimInstanceName,
  ) {}

  /** Discovers the implementation namespace and the host through the registered DSP1042 profile. */
  static async connect(client: CimClient): Promise<RemoteHost> {
    for (const interop of INTEROP) {
      let profiles: CimInstance[];
      try {
        profiles = await client.enumerateInstances('CIM_RegisteredProfile', { namespace: interop });
      } catch (e) {
        if (
          e instanceof CimError &&
          (e.code === 'CIM_ERR_INVALID_NAMESPACE' || e.code === 'CIM_ERR_INVALID_CLASS')
        )
          continue;
        throw e;
      }
      const sv = profiles.find(
        (p) =>
          p.properties.RegisteredName === 'System Virtualization' &&
          p.properties.RegisteredOrganization === '2',
      );
      if (!sv) continue;
      const central = await client.associatorNames(
        { ...sv.path!, namespace: sv.path!.namespace ?? interop },
        {
          assocClass: 'CIM_ElementConformsToProfile',
          resultClass: 'CIM_ComputerSystem',
        },
      );
      const host = central[0];
      if (!host?.namespace)
        throw fail(`The host registers DSP1042 in ${interop} but conforms no computer system to it`);
      return new RemoteHost(client, host.namespace, host);
    }
    throw fail(
      `${client.url.host} registers no DMTF System Virtualization profile (DSP1042) in ${INTEROP.join(', ')}`,
    );
  }

  /** The virtual systems: every CIM_ComputerSystem of the implementation namespace but the host. */
  async list(): Promise<RemoteSystem[]> {
    const all = await this.client.enumerateInstances('CIM_ComputerSystem', {
      namespace: this.namespace,
      propertyList: [
        'CreationClassName',
        'Name',
        'ElementName',
        'EnabledState',
        'OtherIdentifyingInfo',
        'IdentifyingDescriptions',
      ],
    });
    return all
      .filter((i) => !samePath({ ...i.path!, namespace: undefined }, { ...this.host, namespace: undefined }))
      .map((i) => {
        const p = i.properties;
        const ids = Array.isArray(p.OtherIdentifyingInfo) ? (p.OtherIdentifyingInfo as string[]) : [];
        const uuid = ids.find((x) =>
          /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(x),
        );
        const e = Number(p.EnabledState ?? 0);
        return {
          name: String(p.ElementName ?? p.Name),
          uuid,
          state: stateOf(e),
          enabledState: e,
          path: { ...i.path!, namespace: this.namespace },
        };
      });
  }

  /** A system by its name (ElementName) or UUID; fails naming the host when there is none. */
  async find(nameOrUuid: string): Promise<RemoteSystem> {
    const s = (await this.list()).find((x) => x.name === nameOrUuid || x.uuid === nameOrUuid);
    if (!s)
      throw new CimError('CIM_ERR_NOT_FOUND', `No virtual system "${nameOrUuid}" on ${this.client.url.host}`);
    return s;
  }

  /** Changes a system's state with RequestStateChange and waits for the job, if there is one. */
  async change(nameOrUuid: string, op: keyof typeof REQUESTED, timeoutMs = 300_000): Promise<void> {
    const s = await this.find(nameOrUuid);
    const r = await this.client.invokeMethod(s.path, 'RequestStateChange', {
      RequestedState: { type: 'uint16', value: String(REQUESTED[op]) },
    });
    await this.outcome(r, `Cannot ${op} "${s.name}"`, timeoutMs);
  }

  /** Defines a system from the one model with DefineSystem; returns its name. */
  async define(def: VirtualSystemDefinition, timeoutMs = 300_000): Promise<string> {
    const vsms = await this.service();
    const vssdClass = await this.classOf('CIM_VirtualSystemSettingData');
    const system: CimInstance = { className: vssdClass.name, properties: { ...def.system } };
    const resources: CimInstance[] = def.resources.map((r) => ({
      className: r.cimClass,
      properties: { ...r.properties },
    }));
    for (const c of new Set(resources.map((r) => r.className))) await this.classOf(c);
    const r = await this.client.invokeMethod(
      vsms,
      'DefineSystem',
      {
        SystemSettings: { type: 'string', embedded: true, value: system },
        ResourceSettings: { type: 'string', embedded: true, value: resources },
      },
      (n) => this.classes.get(n.toLowerCase()),
    );
    await this.outcome(r, `Cannot define "${def.system.ElementName ?? ''}"`, timeoutMs);
    return def.system.ElementName ?? '';
  }

  /** Removes a system with DestroySystem. */
  async destroy(nameOrUuid: string, timeoutMs = 300_000): Promise<void> {
    const s = await this.find(nameOrUuid);
    const r = await this.client.invokeMethod(await this.service(), 'DestroySystem', {
      AffectedSystem: { type: 'reference', value: s.path },
    });
    await this.outcome(r, `Cannot destroy "${s.name}"`, timeoutMs);
  }

  /** A system's definition, read back as the one model: its VSSD and the RASDs of VirtualSystemSettingDataComponent. */
  async definition(nameOrUuid: string): Promise<VirtualSystemDefinition> {
    const s = await this.find(nameOrUuid);
    const [vssd] = await this.client.associators(s.path, {
      assocClass: 'CIM_SettingsDefineState',
      resultClass: 'CIM_VirtualSystemSettingData',
    });
    if (!vssd) throw fail(`"${s.name}" has no VirtualSystemSettingData`);
    const rasds = await this.client.associators(
      { ...vssd.path!, namespace: this.namespace },
      {
        assocClass: 'CIM_VirtualSystemSettingDataComponent',
      },
    );
    const text = (i: CimInstance) => {
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(i.properties)) {
        if (typeof v === 'string') out[k] = v;
        else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) out[k] = v as string[];
      }
      return out;
    };
    const classOf = (n: string): RasdClass =>
      /storageallocation/i.test(n)
        ? 'CIM_StorageAllocationSettingData'
        : /ethernetportallocation/i.test(n)
          ? 'CIM_EthernetPortAllocationSettingData'
          : 'CIM_ResourceAllocationSettingData';
    const resources: ResourceSetting[] = rasds.map((r) => ({
      cimClass: classOf(r.className),
      properties: text(r),
    }));
    return { system: text(vssd), resources };
  }

  private async service(): Promise<CimInstanceName> {
    const [svc] = await this.client.enumerateInstanceNames('CIM_VirtualSystemManagementService', {
      namespace: this.namespace,
    });
    if (!svc) throw fail(`${this.client.url.host} has no CIM_VirtualSystemManagementService`);
    return { ...svc, namespace: this.namespace };
  }

  /** The full declaration of a class (for typing embedded instances), cached. */
  private async classOf(name: string): Promise<CimClass> {
    const hit = this.classes.get(name.toLowerCase());
    if (hit) return hit;
    const decl = await this.client.getClass(name, { namespace: this.namespace });
    const cls = resolveClass({ ...decl, superClass: undefined }, undefined);
    this.classes.set(name.toLowerCase(), cls);
    return cls;
  }

  /** 0 is done; 4096 is followed to its end; anything else is an error naming the DMTF return value. */
  private async outcome(
    r: { returnValue: number; out: Record<string, unknown> },
    what: string,
    timeoutMs: number,
  ): Promise<void> {
    if (r.returnValue === 0) return;
    if (r.returnValue !== 4096) {
      const meaning: Record<number, string> = {
        1: 'not supported',
        2: 'failed',
        4: 'failed',
        5: 'invalid parameter or state',
        4097: 'the system is not in a state that allows it',
        4098: 'timeouts are not supported',
      };
      throw fail(`${what}: the host answered ${r.returnValue} (${meaning[r.returnValue] ?? 'error'})`);
    }
    const job = r.out.Job as CimInstanceName | undefined;
    if (!job) throw fail(`${what}: the host answered 4096 without a job`);
    const end = Date.now() + timeoutMs;
    for (let delay = 50; Date.now() < end; delay = Math.min(delay * 2, 1000)) {
      const j = await this.client.getInstance({ ...job, namespace: job.namespace ?? this.namespace });
      const state = Number(j.properties.JobState);
      if (state === 7 || state === 32768) return;
      if (state >= 8 && state <= 10)
        throw fail(
          `${what}: ${String(j.properties.ErrorDescription ?? j.properties.JobStatus ?? 'the job failed')}`,
        );
      await new Promise((res) => setTimeout(res, delay));
    }
    throw fail(`${what}: the job did not finish within ${Math.round(timeoutMs / 1000)} s`);
  }
}
