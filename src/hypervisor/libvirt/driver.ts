import { randomUUID } from 'node:crypto';
import type { LibvirtClient, RemoteNonnullDomain, RemoteNonnullStorageVol } from '../../libvirt/index.js';
import {
  DEFAULT_LIMITS,
  imagePath,
  type ResourceSetting,
  readDevices,
  type VirtualSystemDefinition,
} from '../../model/index.js';
import { type DriverCapabilities, stateOperationsOf } from '../capabilities.js';
import { capabilityProblems } from '../capability-check.js';
import { HypervisorError } from '../errors.js';
import { driveImages } from '../images.js';
import { operationsOf } from '../operations.js';
import { QEMU_MACHINE_TYPES, qemuDevices } from '../qemu/capabilities.js';
import { QEMU_SLOTS } from '../qemu/slots.js';
import { checkTransition, type LifecycleOp, RESULT_STATE } from '../transitions.js';
import type {
  ConsoleAccess,
  DiskImage,
  DomainInfo,
  DomainStats,
  DriverDiagnostic,
  DriverEvent,
  DriverInfo,
  HypervisorDriver,
  ValidatePurpose,
} from '../types.js';
import { commonDiagnostics, throwFirstError } from '../validate.js';
import { type ConnectionStatus, LibvirtConnection, type ReconnectOptions } from './connection.js';
import { Consoles } from './console.js';
import { definitionOf, domainXml } from './domain-xml.js';
import type { LibvirtDomainCaps } from './domcaps.js';
import { hypervisorError } from './errors.js';
import { DomainEvents } from './events.js';
import {
  AFFECT_LIVE_CONFIG,
  attachPlan,
  detachPlan,
  liveDevices,
  METADATA_ELEMENT,
  VESSEL_NS,
} from './hotplug.js';
import { domainState } from './states.js';
import { domainStats, STATS_GROUPS } from './stats.js';
import { LibvirtStorage } from './storage.js';
import { uuidText } from './uuid.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** VIR_DOMAIN_XML_INACTIVE: the persistent definition, not the running one. */
const XML_INACTIVE = 2;
/** VIR_DOMAIN_STATS_STATE. */
const STATS_STATE = 1;
/** VIR_DOMAIN_EVENT_ID_LIFECYCLE. */
const EVENT_LIFECYCLE = 0;

/** QEMU's devices as libvirt 9 runs them: its QEMU driver has no BusLogic SCSI controller. */
function libvirtDevices(): DriverCapabilities['devices'] {
  const q = qemuDevices();
  return { ...q, controllers: q.controllers.filter((c) => c.kind !== 'buslogic') };
}

/** What the driver learnt of the daemon when it opened. */
export interface LibvirtDaemonInfo {
  /** CONNECT_GET_TYPE: `QEMU`, `Test`, `Xen`... */
  type: string;
  /** CONNECT_GET_VERSION as `major.minor.micro`. */
  version: string;
  /** The `type` attribute of the domains this driver writes (`qemu`: TCG; `test`). */
  domainType: string;
  /** Its domain capabilities for that type, when the daemon gives them (libvirt's test driver does not). */
  domainCaps?: LibvirtDomainCaps | undefined;
}

/**
 * The libvirt driver: Vessel's driver table in front of a libvirt connection (any libvirt driver: QEMU, the test
 * driver, ...). libvirt owns the inventory: `list` and `lookup` read the daemon, definitions are domain XML written
 * by src/formats' libvirt writer and read back by its reader, states and reasons come from libvirt's state calls
 * and lifecycle events (so what virsh does is seen too). libvirt's errors become Vessel's codes in `errors.ts`.
 * When libvirtd goes away (restart, kill -9) the calls in flight fail with `LIBVIRT_DISCONNECTED`, the connection
 * is reopened with backoff (`connection.ts`), events are registered again and every domain's state is read again:
 * what changed meanwhile is announced as `host` events.
 */
export class LibvirtDriver implements HypervisorDriver {
  readonly ownsInventory = true;
  private readonly events = new DomainEvents();
  private readonly consoles: Consoles;

  private readonly conn: LibvirtConnection;
  private readonly storage: LibvirtStorage;

  /** `reopen` makes a new client for the same URI after the connection is lost (none: no reconnecting). */
  constructor(
    readonly uri: string,
    client: LibvirtClient,
    private readonly daemon: LibvirtDaemonInfo,
    reopen?: () => Promise<LibvirtClient>,
    reconnect?: ReconnectOptions,
  ) {
    this.conn = new LibvirtConnection(
      client,
      reopen,
      {
        event: (e) => this.events.libvirt(e),
        prepare: (c) => this.register(c),
        reconnected: () =>
          void this.list().then(
            (domains) => this.events.reread(domains),
            () => undefined,
          ),
      },
      reconnect,
    );
    this.consoles = new Consoles(() => this.conn.client);
    this.storage = new LibvirtStorage(() => this.conn.client);
  }

  private get client(): LibvirtClient {
    return this.conn.client;
  }

  /** Whether libvirtd is reachable now, and how reconnecting goes. */
  connectionStatus(): ConnectionStatus {
    return this.conn.status();
  }

  /** Registers for lifecycle events of every domain and notes each one's state (when the driver opens). */
  async watch(): Promise<void> {
    await this.register(this.client);
    for (const d of await this.list()) this.events.note(d.uuid, d.state);
  }

  /** Registers a client for lifecycle events of every domain (at open and after each reconnect). */
  private async register(client: LibvirtClient): Promise<void> {
    await this.call('Cannot watch libvirt events', () =>
      client.call('CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY', {
        eventID: EVENT_LIFECYCLE,
        dom: undefined,
      }),
    );
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw hypervisorError(e, what);
    }
  }

  async capabilities(): Promise<DriverCapabilities> {
    const test = this.daemon.domainType === 'test';
    return {
      driver: { uri: this.uri, name: 'libvirt', version: this.daemon.version, ownsInventory: true },
      accelerators: test
        ? [{ name: 'none', usable: true, reason: "libvirt's test driver runs no guest code" }]
        : [{ name: 'tcg', usable: true, reason: "domains are written with type='qemu' (TCG)" }],
      machineTypes: QEMU_MACHINE_TYPES,
      // EFI when libvirt's domain capabilities name firmware images (OVMF): `<os firmware='efi'>` lets libvirt pick one.
      firmware: (this.daemon.domainCaps?.loaders.length ?? 0) > 0 ? ['bios', 'efi'] : ['bios'],
      devices: libvirtDevices(),
      // virConnectGetDomainCapabilities' <vcpu max> bounds the vCPUs of the machine type libvirt picks.
      limits: {
        ...DEFAULT_LIMITS,
        cpus: Math.min(DEFAULT_LIMITS.cpus, this.daemon.domainCaps?.maxCpus ?? DEFAULT_LIMITS.cpus),
      },
      operations: stateOperationsOf([...operationsOf(this), 'reboot']),
      features: {
        // virDomainAttachDeviceFlags on libvirt's QEMU driver; its test driver cannot attach devices.
        hotplug: { disk: !test, nic: !test, memory: false },
        snapshots: false,
        migration: false,
        adoption: true,
      },
    };
  }

  /** What libvirt's domain capabilities said when the driver opened (undefined on its test driver). */
  domainCapabilities(): LibvirtDomainCaps | undefined {
    return this.daemon.domainCaps;
  }

  /** libvirt's own capabilities document (virConnectGetCapabilities): host CPU, guests, machine types. */
  async libvirtCapabilities(): Promise<string> {
    const r = await this.call('Cannot read the capabilities', () =>
      this.client.call('CONNECT_GET_CAPABILITIES', undefined),
    );
    return r.capabilities;
  }

  async info(): Promise<DriverInfo> {
    const caps = await this.capabilities();
    const acc = caps.accelerators[0]!;
    return {
      driver: 'libvirt',
      uri: this.uri,
      accelerator: acc.name === 'tcg' ? 'tcg' : 'none',
      acceleratorReason: acc.reason,
      hypervisorVersion: this.daemon.version,
      vmCount: (await this.list()).length,
      capabilities: operationsOf(this),
    };
  }

  async list(): Promise<DomainInfo[]> {
    const r = await this.call('Cannot list the domains', () =>
      this.client.call('CONNECT_GET_ALL_DOMAIN_STATS', { doms: [], stats: STATS_STATE, flags: 0 }),
    );
    return r.retStats.map(({ dom, params }) => {
      const num = (field: string) => {
        const v = params.find((p) => p.field === field)?.value;
        return v !== undefined && typeof v.value === 'number' ? v.value : 0;
      };
      return {
        uuid: uuidText(dom.uuid),
        name: dom.name,
        ...domainState(num('state.state'), num('state.reason')),
      };
    });
  }

  /** The domain of a UUID or name, or undefined (VIR_ERR_NO_DOMAIN). */
  private async domain(uuidOrName: string): Promise<RemoteNonnullDomain | undefined> {
    try {
      const r = UUID.test(uuidOrName)
        ? await this.client.call('DOMAIN_LOOKUP_BY_UUID', {
            uuid: Buffer.from(uuidOrName.replaceAll('-', ''), 'hex'),
          })
        : await this.client.call('DOMAIN_LOOKUP_BY_NAME', { name: uuidOrName });
      return r.dom;
    } catch (e) {
      const mapped = hypervisorError(e, `Cannot look up "${uuidOrName}"`);
      if (mapped instanceof HypervisorError && mapped.code === 'VM_NOT_FOUND') return undefined;
      throw mapped;
    }
  }

  private async mustDomain(uuid: string): Promise<RemoteNonnullDomain> {
    const d = await this.domain(uuid);
    if (d === undefined) throw new HypervisorError('VM_NOT_FOUND', `No virtual system "${uuid}"`);
    return d;
  }

  private async stateOf(dom: RemoteNonnullDomain): Promise<DomainInfo> {
    const r = await this.call(`Cannot read the state of "${dom.name}"`, () =>
      this.client.call('DOMAIN_GET_STATE', { dom, flags: 0 }),
    );
    return { uuid: uuidText(dom.uuid), name: dom.name, ...domainState(r.state, r.reason) };
  }

  async lookup(uuidOrName: string): Promise<DomainInfo | undefined> {
    const dom = await this.domain(uuidOrName);
    return dom === undefined ? undefined : this.stateOf(dom);
  }

  async validate(def: VirtualSystemDefinition, purpose: ValidatePurpose): Promise<DriverDiagnostic[]> {
    const common = commonDiagnostics(def, purpose, DEFAULT_LIMITS, { slots: QEMU_SLOTS });
    if (common.length > 0) return common;
    const problems = capabilityProblems(def, await this.capabilities());
    if (problems.some((p) => p.severity === 'error')) return problems;
    // What the domain XML writer could not express (a device libvirt has no element for...), as warnings.
    const name = def.system.ElementName ?? '';
    const notes = domainXml(def, this.daemon.domainType).notes.map(
      (message): DriverDiagnostic => ({
        code: 'NOT_SUPPORTED',
        severity: 'warning',
        location: `"${name}"`,
        message,
      }),
    );
    return [...problems, ...notes];
  }

  async define(input: VirtualSystemDefinition): Promise<DomainInfo> {
    throwFirstError(await this.validate(input, 'define'));
    const def = structuredClone(input);
    const name = def.system.ElementName ?? '';
    const given = def.system.VirtualSystemIdentifier;
    def.system.VirtualSystemIdentifier =
      given !== undefined && UUID.test(given) ? given.toLowerCase() : randomUUID();
    const byName = await this.domain(name);
    if (byName !== undefined && uuidText(byName.uuid) !== def.system.VirtualSystemIdentifier) {
      throw new HypervisorError(
        'VM_EXISTS',
        `Cannot define "${name}": a virtual system with that name exists`,
      );
    }
    // Like virDomainDefineXML, a define of a running domain's UUID replaces its persistent definition (used from
    // its next start); `modify` is the entry point that refuses a running system.
    const { xml } = domainXml(def, this.daemon.domainType);
    const r = await this.call(`Cannot define "${name}"`, () =>
      this.client.call('DOMAIN_DEFINE_XML', { xml }),
    );
    const info = await this.stateOf(r.dom);
    this.events.note(info.uuid, info.state, true);
    return info;
  }

  async getDefinition(uuid: string): Promise<VirtualSystemDefinition> {
    const dom = await this.mustDomain(uuid);
    const r = await this.call(`Cannot read the definition of "${dom.name}"`, () =>
      this.client.call('DOMAIN_GET_XML_DESC', { dom, flags: XML_INACTIVE }),
    );
    return definitionOf(r.xml);
  }

  async getState(uuid: string): Promise<DomainInfo> {
    return this.stateOf(await this.mustDomain(uuid));
  }

  subscribe(listener: (e: DriverEvent) => void): () => void {
    return this.events.subscribe(listener);
  }

  async close(options: { stopAll?: boolean } = {}): Promise<void> {
    if (options.stopAll && this.client.closed === undefined) {
      for (const d of await this.list()) if (d.state !== 'stopped') await this.powerOff(d.uuid);
    }
    if (this.client.closed === undefined)
      await this.client.call('CONNECT_CLOSE', undefined).catch(() => undefined);
    this.consoles.close();
    this.conn.close();
  }

  /** Checks the transition against libvirt's current state, then makes the call. */
  private async act(
    uuid: string,
    op: LifecycleOp,
    verb: string,
    fn: (dom: RemoteNonnullDomain) => Promise<unknown>,
  ) {
    const dom = await this.mustDomain(uuid);
    checkTransition(dom.name, (await this.stateOf(dom)).state, op);
    const result = op === 'undefine' || op === 'modify' || op === 'shutdown' ? undefined : RESULT_STATE[op];
    if (result !== undefined && op !== 'reset') this.events.expect(uuid.toLowerCase(), result);
    await this.call(`Cannot ${verb} "${dom.name}"`, () => fn(dom));
  }

  /**
   * Undefines a stopped domain; the volumes a deploy uploaded for it (`<uuid>-*` in Vessel's libvirt pool, see
   * `importImages`) are deleted with it. Images the definition names otherwise are never touched.
   */
  async undefine(uuid: string): Promise<void> {
    const own = this.daemon.domainType === 'test' ? [] : await this.ownVolumes(uuid);
    await this.act(uuid, 'undefine', 'undefine', (dom) =>
      // VIR_DOMAIN_UNDEFINE_NVRAM: an EFI domain's NVRAM goes with it (libvirt refuses otherwise).
      this.client.call('DOMAIN_UNDEFINE_FLAGS', { dom, flags: this.daemon.domainType === 'qemu' ? 4 : 0 }),
    );
    for (const vol of own) await this.storage.delete(vol);
  }

  /** The volumes of a system's definition that its deploy uploaded (named by its UUID, in Vessel's pool). */
  private async ownVolumes(uuid: string): Promise<RemoteNonnullStorageVol[]> {
    const def = await this.getDefinition(uuid);
    const id = def.system.VirtualSystemIdentifier ?? uuid;
    const out: RemoteNonnullStorageVol[] = [];
    for (const d of readDevices(def).drives) {
      const base = imagePath(d.hostResource);
      if (base === undefined) continue;
      const vol = await this.storage.volumeOf(base);
      if (vol !== undefined && this.storage.owns(vol, id) && !out.some((v) => v.key === vol.key))
        out.push(vol);
    }
    return out;
  }

  async start(uuid: string): Promise<void> {
    await this.act(uuid, 'start', 'start', (dom) => this.client.call('DOMAIN_CREATE', { dom }));
    // Keep the serial output from the first byte; a driver without consoles (libvirt's test driver) has none.
    if (this.daemon.domainType !== 'test') {
      const dom = await this.mustDomain(uuid);
      await this.consoles.capture(uuidText(dom.uuid), dom).catch(() => undefined);
    }
  }

  async shutdown(uuid: string): Promise<void> {
    await this.act(uuid, 'shutdown', 'shut down', (dom) => this.client.call('DOMAIN_SHUTDOWN', { dom }));
  }

  async powerOff(uuid: string): Promise<void> {
    await this.act(uuid, 'powerOff', 'power off', (dom) => this.client.call('DOMAIN_DESTROY', { dom }));
  }

  async pause(uuid: string): Promise<void> {
    await this.act(uuid, 'pause', 'pause', (dom) => this.client.call('DOMAIN_SUSPEND', { dom }));
  }

  async resume(uuid: string): Promise<void> {
    await this.act(uuid, 'resume', 'resume', (dom) => this.client.call('DOMAIN_RESUME', { dom }));
  }

  async reset(uuid: string): Promise<void> {
    await this.act(uuid, 'reset', 'reset', (dom) => this.client.call('DOMAIN_RESET', { dom, flags: 0 }));
    // libvirt sends no lifecycle event for a reset (the domain stays running): the driver says it happened.
    const { uuid: id } = await this.getState(uuid);
    this.events.emit({ uuid: id, kind: 'reset', reason: 'reset', cause: 'api', time: new Date() });
  }

  /** Reboots through the guest (virDomainReboot); not in the driver table yet, offered for the CLI and tests. */
  async reboot(uuid: string): Promise<void> {
    const dom = await this.mustDomain(uuid);
    checkTransition(dom.name, (await this.stateOf(dom)).state, 'reset');
    await this.call(`Cannot reboot "${dom.name}"`, () =>
      this.client.call('DOMAIN_REBOOT', { dom, flags: 0 }),
    );
  }

  /** The serial console: the output kept since this driver saw the system start, and a live stream. */
  async console(uuid: string): Promise<ConsoleAccess> {
    const dom = await this.mustDomain(uuid);
    const { state } = await this.stateOf(dom);
    return this.consoles.access(
      uuidText(dom.uuid),
      dom,
      state !== 'stopped' && this.daemon.domainType !== 'test',
    );
  }

  /** CPU time, memory, block and interface counters of a running system (one CONNECT_GET_ALL_DOMAIN_STATS). */
  async stats(uuid: string): Promise<DomainStats> {
    const dom = await this.mustDomain(uuid);
    if ((await this.stateOf(dom)).state === 'stopped') {
      throw new HypervisorError(
        'INVALID_STATE',
        `Cannot read the statistics of "${dom.name}": it is stopped`,
      );
    }
    const r = await this.call(`Cannot read the statistics of "${dom.name}"`, () =>
      this.client.call('CONNECT_GET_ALL_DOMAIN_STATS', { doms: [dom], stats: STATS_GROUPS, flags: 0 }),
    );
    const out = domainStats(r.retStats[0]?.params ?? [], await this.getDefinition(uuid));
    if (out.memoryBytes === 0n) {
      // No balloon figures (libvirt's test driver): the domain's maximum memory, in KiB.
      const info = await this.call(`Cannot read "${dom.name}"`, () =>
        this.client.call('DOMAIN_GET_INFO', { dom }),
      );
      out.memoryBytes = info.maxMem * 1024n;
    }
    return out;
  }

  /** libvirt's domains outlive the connection: a new driver finds a running one as it is. */
  async adopt(uuid: string): Promise<DomainInfo> {
    const st = await this.getState(uuid);
    return { ...st, reason: `adopted from libvirt (${st.reason})` };
  }

  /** Each drive's image: libvirt writes into the images the definition names (no overlays of Vessel's). */
  async diskImages(uuid: string): Promise<DiskImage[]> {
    return driveImages(await this.getDefinition(uuid), (_id, base) => ({ path: base, chain: false }));
  }

  /**
   * Deploy hook: the host's files for a system become volumes of libvirt's `vessel` (or `default`) pool, uploaded
   * over the connection. libvirt's test driver runs no guest: its images stay where they are.
   */
  async importImages(uuid: string, paths: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (this.daemon.domainType === 'test') return out;
    try {
      for (const p of paths) out.set(p, await this.storage.upload(uuid, p));
    } catch (e) {
      await this.discardImages([...out.values()]).catch(() => undefined); // all or none
      throw e;
    }
    return out;
  }

  /** Deletes volumes `importImages` made (by path), those still there. */
  async discardImages(images: readonly string[]): Promise<void> {
    for (const p of images) {
      const vol = await this.storage.volumeOf(p);
      if (vol !== undefined) await this.storage.delete(vol);
    }
  }

  /** Export hook: each image of the definition that is a libvirt volume, downloaded into a new file of `dir`. */
  async exportImages(uuid: string, dir: string): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (this.daemon.domainType === 'test') return out;
    const def = await this.getDefinition(uuid);
    let n = 0;
    for (const r of def.resources) {
      const p = r.properties.HostResource?.[0];
      if (p === undefined || !p.startsWith('/') || out.has(p)) continue;
      const vol = await this.storage.volumeOf(p);
      if (vol === undefined) continue;
      const to = `${dir}/${++n}-${vol.name.replace(/[^A-Za-z0-9._-]/g, '_')}`;
      await this.storage.download(vol, to);
      out.set(p, to);
    }
    return out;
  }

  /** The domain of a running (or paused) system, refused with INVALID_STATE when it is stopped. */
  private async activeDomain(uuid: string, verb: string): Promise<RemoteNonnullDomain> {
    const dom = await this.mustDomain(uuid);
    const { state } = await this.stateOf(dom);
    if (state === 'stopped')
      throw new HypervisorError('INVALID_STATE', `Cannot ${verb} "${dom.name}": it is stopped`);
    return dom;
  }

  /** The live domain XML (flags 0: what runs now). */
  private async liveXml(dom: RemoteNonnullDomain): Promise<string> {
    const r = await this.call(`Cannot read "${dom.name}"`, () =>
      this.client.call('DOMAIN_GET_XML_DESC', { dom, flags: 0 }),
    );
    return r.xml;
  }

  /** Vessel's metadata element of the running domain and its definition (the InstanceIDs of its devices). */
  private async setFacts(dom: RemoteNonnullDomain, facts: string): Promise<void> {
    await this.call(`Cannot keep the InstanceIDs of "${dom.name}"`, () =>
      this.client.call('DOMAIN_SET_METADATA', {
        dom,
        type: METADATA_ELEMENT,
        metadata: facts,
        key: 'vessel',
        uri: VESSEL_NS,
        flags: AFFECT_LIVE_CONFIG,
      }),
    );
  }

  /**
   * Hot-plugs a disk or NIC into a running domain and its definition (virDomainAttachDeviceFlags, live and
   * config), as the domain XML writer writes it (a disk on IDE or SATA, which libvirt cannot hot-plug, goes on
   * virtio-blk); its InstanceID is kept in Vessel's metadata.
   */
  async attachDevice(uuid: string, resource: ResourceSetting): Promise<void> {
    const dom = await this.activeDomain(uuid, 'attach a device to');
    const def = await this.getDefinition(uuid);
    const added = structuredClone(resource);
    added.properties.InstanceID ??= String(
      Math.max(0, ...def.resources.map((x) => Number(x.properties.InstanceID)).filter(Number.isSafeInteger)) +
        1,
    );
    const id = added.properties.InstanceID;
    if (def.resources.some((r) => r.properties.InstanceID === id))
      throw new HypervisorError('VM_EXISTS', `"${dom.name}" already has a resource "${id}"`);
    const next = { ...def, resources: [...def.resources, added] };
    throwFirstError(await this.validate(next, 'define'));
    const plan = attachPlan(next, id, this.daemon.domainType, liveDevices(await this.liveXml(dom)).targets);
    await this.call(`Cannot attach "${id}" to "${dom.name}"`, () =>
      this.client.call('DOMAIN_ATTACH_DEVICE_FLAGS', { dom, xml: plan.device, flags: AFFECT_LIVE_CONFIG }),
    );
    await this.setFacts(dom, plan.facts);
  }

  /**
   * Hot-unplugs a disk or NIC by its InstanceID (virDomainDetachDeviceFlags, live and config) and waits (10 s) for
   * the guest to release it: until the running domain no longer has it.
   */
  async detachDevice(uuid: string, instanceId: string): Promise<void> {
    const dom = await this.activeDomain(uuid, 'detach a device from');
    const def = await this.getDefinition(uuid);
    if (!def.resources.some((r) => r.properties.InstanceID === instanceId))
      throw new HypervisorError('VM_NOT_FOUND', `No device "${instanceId}" in "${dom.name}"`);
    const plan = detachPlan(def, instanceId, this.daemon.domainType);
    const ident =
      plan.kind === 'nic'
        ? /<mac address="([^"]+)"/.exec(plan.device)?.[1]?.toLowerCase()
        : /<target dev="([^"]+)"/.exec(plan.device)?.[1];
    await this.call(`Cannot detach "${instanceId}" from "${dom.name}"`, () =>
      this.client.call('DOMAIN_DETACH_DEVICE_FLAGS', { dom, xml: plan.device, flags: AFFECT_LIVE_CONFIG }),
    );
    await this.setFacts(dom, plan.facts);
    const end = Date.now() + 10_000;
    for (;;) {
      const live = liveDevices(await this.liveXml(dom));
      if (ident === undefined || !(plan.kind === 'nic' ? live.macs : live.targets).includes(ident)) return;
      if (Date.now() > end)
        throw new HypervisorError('TIMEOUT', `The guest did not release device "${instanceId}" within 10 s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Modifies a stopped system: libvirt redefines a domain of the same UUID in place. */
  async modify(uuid: string, def: VirtualSystemDefinition): Promise<DomainInfo> {
    const dom = await this.mustDomain(uuid);
    checkTransition(dom.name, (await this.stateOf(dom)).state, 'modify');
    return this.define({ ...def, system: { ...def.system, VirtualSystemIdentifier: uuidText(dom.uuid) } });
  }
}
