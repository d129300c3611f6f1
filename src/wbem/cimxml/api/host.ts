import {
  ApiError,
  type Capabilities,
  type HostApi,
  type HostInfo,
  type StateOperation,
  type SurfaceReport,
} from '../../../api/index.js';
import {
  type CimInstance,
  type CimInstanceName,
  HYPERVISOR_SOFTWARE_ID,
  isInstanceName,
  qualifierValue,
  samePath,
} from '../../../cim/index.js';
import { type Firmware, toBaseUnits } from '../../../model/index.js';
import { settingsClass } from './definitions.js';
import type { Inventory } from './inventory.js';
import { hasKeepDisks } from './keep-disks.js';
import { type CimSession, PROFILE } from './session.js';
import {
  isoOfCimTimestamp,
  operationsOfRequestedStates,
  text,
  texts,
  UNKNOWN_TIME,
  whole,
} from './values.js';

/**
 * The host namespace over CIM-XML: who the host is and what it can do, from what DSP1033 discovery, DSP1042 and
 * DSP1057 show. The state changes offered are the RequestedStatesSupported of the virtual systems' capabilities
 * (DSP1057), read once per connection (the first time a system is there to show them); a host with no system
 * yet shows only DSP1057's Enabled and Disabled (start, power off). Limits come from the primordial Processor and Memory pools (DSP1041, DSP1045),
 * firmware from the ValueMap of the host's VSSD class (Vessel's `Firmware`). What CIM does not say (driver URI,
 * accelerators, machine types, device models, NIC and disk limits) is left empty or 0.
 *
 * @example
 * const { operations, firmware } = await api.host.capabilities();
 */
export class CimHost implements HostApi {
  /** The RequestedStates seen on the host's systems so far. */
  private readonly requested = new Set<number>();

  constructor(
    private readonly s: CimSession,
    private readonly inv: Inventory,
    /** The host's console service (Vessel's, src/wbem/cimxml/api/consoles.ts), undefined when it has none. */
    private readonly consoleService: () => Promise<unknown> = async () => undefined,
  ) {}

  async info(): Promise<HostInfo> {
    const host = await this.inv.host();
    const systems = await this.inv.list();
    return {
      name: text(host, 'ElementName') ?? text(host, 'Name') ?? this.s.where,
      vesselVersion: text(host, 'VesselVersion')?.slice(0, 64) ?? 'unknown',
      startedAt: isoOfCimTimestamp(text(host, 'TimeOfLastStateChange')) ?? UNKNOWN_TIME,
      systemCount: systems.length,
      transport: this.s.client.transport,
      driver: await this.driver(),
      ...(await this.software()),
    };
  }

  /**
   * The hypervisor's software identity (DSP1023), when the host shows one: its VersionString, and a host image's
   * ImageDigest and Classifications 13 (Software Bundle). A value that does not fit the Api's schema is left out.
   */
  private async software(): Promise<Pick<HostInfo, 'software'>> {
    const all = await this.s
      .call({ what: 'Reading the software identity' }, (c) =>
        c.enumerateInstances('CIM_SoftwareIdentity', { namespace: this.s.namespace }),
      )
      .catch(() => [] as CimInstance[]);
    const sw = all.find((i) => text(i, 'InstanceID') === HYPERVISOR_SOFTWARE_ID);
    const version = sw === undefined ? undefined : text(sw, 'VersionString');
    if (sw === undefined || version === undefined || version.length > 64) return {};
    const digest = text(sw, 'ImageDigest');
    return {
      software: {
        version,
        image: texts(sw, 'Classifications').includes('13'),
        ...(digest !== undefined && /^[0-9a-f]{64}$/.test(digest) ? { digest } : {}),
      },
    };
  }

  /** No DMTF profile describes a host's listening sockets, processes and capabilities: NOT_SUPPORTED. */
  async surface(): Promise<SurfaceReport> {
    throw new ApiError(
      'NOT_SUPPORTED',
      `Cannot read the attack-surface report over ${this.s.encoding}: no profile has it`,
      {
        hint: 'Use the REST endpoint (rest+https://) or the host itself (vessel:///STATE)',
      },
    );
  }

  /** The host as DSP1042 names what it makes: its VirtualSystemTypesSupported, else its classes' prefix. */
  private async driver(): Promise<{ uri: string; name: string }> {
    const caps = await this.s
      .call({ what: 'Reading the virtual system management capabilities' }, (c) =>
        c.enumerateInstances('CIM_VirtualSystemManagementCapabilities', { namespace: this.s.namespace }),
      )
      .catch(() => [] as CimInstance[]);
    const types = caps.flatMap((c) => texts(c, 'VirtualSystemTypesSupported'));
    return {
      uri: '',
      name: (types.length > 0 ? types.join(', ') : this.s.prefix.replace(/_$/, '')).slice(0, 128),
    };
  }

  /**
   * The state changes the host's systems accept: the RequestedStatesSupported of the capabilities that
   * CIM_ElementCapabilities ties to a virtual system (DSP1057).
   */
  async operations(): Promise<StateOperation[]> {
    const ns = this.s.namespace;
    const systems = this.requested.size > 0 ? [] : await this.inv.list();
    if (systems.length > 0) {
      const [links, caps] = await this.s.call(
        { what: 'Reading the capabilities of the virtual systems' },
        (c) =>
          Promise.all([
            c.enumerateInstances('CIM_ElementCapabilities', { namespace: ns }),
            c.enumerateInstances('CIM_EnabledLogicalElementCapabilities', { namespace: ns }),
          ]),
      );
      const plain = (p: CimInstanceName) => ({ ...p, namespace: undefined, host: undefined });
      const ofSystems = links
        .filter((l) => {
          const el = l.properties.ManagedElement;
          return isInstanceName(el) && systems.some((x) => samePath(plain(el), plain(x.cs.path)));
        })
        .map((l) => l.properties.Capabilities)
        .filter(isInstanceName);
      for (const c of caps) {
        if (c.path === undefined || !ofSystems.some((p) => samePath(plain(p), plain(c.path!)))) continue;
        for (const v of texts(c, 'RequestedStatesSupported').map(Number))
          if (Number.isInteger(v)) this.requested.add(v);
      }
    }
    return operationsOfRequestedStates(this.requested.size > 0 ? [...this.requested] : [2, 3]);
  }

  async capabilities(): Promise<Capabilities> {
    const [driver, operations, limits, firmware, consoleService] = await Promise.all([
      this.driver(),
      this.operations(),
      this.limits(),
      this.firmware(),
      this.consoleService(),
    ]);
    const consoles = consoleService !== undefined;
    const no = false;
    return {
      driver: { ...driver, ownsInventory: false },
      accelerators: [],
      machineTypes: [],
      firmware,
      devices: { controllers: [], nicModels: [], driveKinds: [], consoles: consoles ? ['serial'] : [] },
      limits,
      operations,
      features: {
        hotplug: { disk: no, nic: no, memory: no },
        snapshots: no,
        migration: no,
        deploy: no,
        export: no,
        events: no,
        stats: no,
        users: no,
        consoles, // Vessel_TextConsoleService: the serial console and its log
        screenshot: no,
        metadata: (await settingsClass(this.s, 'VSSD')).propertyIndex.has('metadata'), // Vessel's extension
        keepDisks: await hasKeepDisks(this.s, this.inv), // Vessel's extension of DestroySystem
        pools: this.s.found.profiles.has(PROFILE.storage) ? 'read' : 'none',
        networks: 'none',
      },
    };
  }

  /** The firmware the host's VSSD class offers (the ValueMap of Vessel's `Firmware`); none when it has no such property. */
  private async firmware(): Promise<Firmware[]> {
    const cls = await settingsClass(this.s, 'VSSD');
    const p = cls.propertyIndex.get('firmware');
    const map = p === undefined ? undefined : qualifierValue(p.qualifiers, 'ValueMap');
    return (Array.isArray(map) ? map : []).filter((v): v is Firmware => v === 'bios' || v === 'efi');
  }

  /** What one system may have: the primordial Processor and Memory pools' capacities (DSP1041). */
  private async limits(): Promise<Capabilities['limits']> {
    const pools = await this.s
      .call({ what: 'Reading the resource pools' }, (c) =>
        c.enumerateInstances('CIM_ResourcePool', { namespace: this.s.namespace }),
      )
      .catch(() => [] as CimInstance[]);
    const primordial = (type: number) =>
      pools.find((p) => whole(p, 'ResourceType') === type && /^true$/i.test(text(p, 'Primordial') ?? ''));
    const cpus = whole(primordial(3) ?? { className: '', properties: {} }, 'Capacity') ?? 0;
    const memory = primordial(4);
    let memoryBytes = 0n;
    const capacity = memory === undefined ? undefined : text(memory, 'Capacity');
    if (memory !== undefined && capacity !== undefined && /^\d{1,20}$/.test(capacity)) {
      try {
        memoryBytes = toBaseUnits(BigInt(capacity), text(memory, 'AllocationUnits') ?? 'byte', 'byte');
      } catch {
        memoryBytes = 0n; // units this client cannot read: the limit is unknown
      }
    }
    return { cpus, memoryBytes, nics: 0, disks: 0 };
  }
}
