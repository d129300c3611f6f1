import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { LibvirtClient, RemoteNonnullDomain } from '../../libvirt/index.js';
import { DEFAULT_LIMITS, type ResourceSetting, type VirtualSystemDefinition } from '../../model/index.js';
import { type DriverCapabilities, stateOperationsOf } from '../capabilities.js';
import { capabilityProblems } from '../capability-check.js';
import { HypervisorError } from '../errors.js';
import { driveImages } from '../images.js';
import { operationsOf } from '../operations.js';
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
import { type LibvirtDaemonInfo, libvirtCapabilities } from './capabilities.js';
import { type ConnectionStatus, LibvirtConnection, type ReconnectOptions } from './connection.js';
import { Consoles } from './console.js';
import { LibvirtHotplug } from './devices.js';
import { domainXml } from './domain-xml.js';
import type { LibvirtDomainCaps } from './domcaps.js';
import { DomainEvents } from './events.js';
import { LibvirtImages } from './images.js';
import { DomainLookup, isUuid } from './lookup.js';
import { PendingVolumes } from './pending.js';
import { screenshotPng } from './screenshot.js';
import { readStats } from './stats.js';
import { LIBVIRT_POOLS, LibvirtStorage } from './storage.js';
import { uuidText } from './uuid.js';

export type { LibvirtDaemonInfo } from './capabilities.js';

/** VIR_DOMAIN_EVENT_ID_LIFECYCLE. */
const EVENT_LIFECYCLE = 0;
/** The journal of unfinished volume uploads, in the host's state directory (see pending.ts). */
export const PENDING_VOLUMES_FILE = 'libvirt-pending-volumes.json';

/** How a driver is opened besides its connection. */
export interface LibvirtDriverOptions {
  /** Makes a new client for the same URI after the connection is lost (none: no reconnecting). */
  reopen?: () => Promise<LibvirtClient>;
  reconnect?: ReconnectOptions;
  /** The host's state directory: the journal of unfinished uploads is kept there (else in memory). */
  stateDir?: string;
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
  private readonly look: DomainLookup;
  private readonly storage: LibvirtStorage;
  private readonly images: LibvirtImages;
  private readonly hotplug: LibvirtHotplug;

  constructor(
    readonly uri: string,
    client: LibvirtClient,
    private readonly daemon: LibvirtDaemonInfo,
    options: LibvirtDriverOptions = {},
  ) {
    this.conn = new LibvirtConnection(
      client,
      options.reopen,
      {
        event: (e) => this.events.libvirt(e),
        prepare: (c) => this.register(c),
        reconnected: () => {
          void this.list().then(
            (domains) => this.events.reread(domains),
            () => undefined,
          );
          void this.storage.sweep().catch(() => undefined); // what an upload cut by the loss left
        },
      },
      options.reconnect,
    );
    const current = () => this.conn.client;
    this.look = new DomainLookup(current);
    this.consoles = new Consoles(current);
    const journal = options.stateDir === undefined ? undefined : join(options.stateDir, PENDING_VOLUMES_FILE);
    this.storage = new LibvirtStorage(current, new PendingVolumes(journal, LIBVIRT_POOLS));
    this.images = new LibvirtImages(this.look, this.storage, daemon.domainType !== 'test');
    this.hotplug = new LibvirtHotplug({
      look: this.look,
      domainType: daemon.domainType,
      controllers: async () => (await this.capabilities()).devices.controllers,
      validate: (def) => this.validate(def, 'define'),
    });
  }

  private get client(): LibvirtClient {
    return this.conn.client;
  }

  /** Whether libvirtd is reachable now, and how reconnecting goes. */
  connectionStatus(): ConnectionStatus {
    return this.conn.status();
  }

  /**
   * Registers for lifecycle events of every domain and notes each one's state (when the driver opens), and
   * deletes the volumes uploads cut short before left (the journal of a previous run).
   */
  async watch(): Promise<void> {
    await this.register(this.client);
    for (const d of await this.list()) this.events.note(d.uuid, d.state);
    if (this.daemon.domainType !== 'test') await this.storage.sweep().catch(() => undefined);
  }

  /** Deletes what unfinished uploads left in libvirt's pool; resolves with how many volumes it deleted. */
  sweepVolumes(): Promise<number> {
    return this.storage.sweep();
  }

  /** Registers a client for lifecycle events of every domain (at open and after each reconnect). */
  private async register(client: LibvirtClient): Promise<void> {
    await this.look.call('Cannot watch libvirt events', () =>
      client.call('CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY', {
        eventID: EVENT_LIFECYCLE,
        dom: undefined,
      }),
    );
  }

  async capabilities(): Promise<DriverCapabilities> {
    return libvirtCapabilities(this.uri, this.daemon, stateOperationsOf([...operationsOf(this), 'reboot']));
  }

  /** What libvirt's domain capabilities said when the driver opened (undefined on its test driver). */
  domainCapabilities(): LibvirtDomainCaps | undefined {
    return this.daemon.domainCaps;
  }

  /** libvirt's own capabilities document (virConnectGetCapabilities): host CPU, guests, machine types. */
  async libvirtCapabilities(): Promise<string> {
    const r = await this.look.call('Cannot read the capabilities', () =>
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
    return this.look.list();
  }

  async lookup(uuidOrName: string): Promise<DomainInfo | undefined> {
    const dom = await this.look.domain(uuidOrName);
    return dom === undefined ? undefined : this.look.stateOf(dom);
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
      given !== undefined && isUuid(given) ? given.toLowerCase() : randomUUID();
    const byName = await this.look.domain(name);
    if (byName !== undefined && uuidText(byName.uuid) !== def.system.VirtualSystemIdentifier) {
      throw new HypervisorError(
        'VM_EXISTS',
        `Cannot define "${name}": a virtual system with that name exists`,
      );
    }
    // Like virDomainDefineXML, a define of a running domain's UUID replaces its persistent definition (used from
    // its next start); `modify` is the entry point that refuses a running system.
    const { xml } = domainXml(def, this.daemon.domainType);
    const r = await this.look.call(`Cannot define "${name}"`, () =>
      this.client.call('DOMAIN_DEFINE_XML', { xml }),
    );
    const info = await this.look.stateOf(r.dom);
    this.events.note(info.uuid, info.state, true);
    return info;
  }

  async getDefinition(uuid: string): Promise<VirtualSystemDefinition> {
    return this.look.definition(await this.look.mustDomain(uuid));
  }

  async getState(uuid: string): Promise<DomainInfo> {
    return this.look.stateOf(await this.look.mustDomain(uuid));
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
    const dom = await this.look.mustDomain(uuid);
    checkTransition(dom.name, (await this.look.stateOf(dom)).state, op);
    const result = op === 'undefine' || op === 'modify' || op === 'shutdown' ? undefined : RESULT_STATE[op];
    if (result !== undefined && op !== 'reset') this.events.expect(uuid.toLowerCase(), result);
    await this.look.call(`Cannot ${verb} "${dom.name}"`, () => fn(dom));
  }

  /**
   * Undefines a stopped domain; the volumes a deploy uploaded for it (`<uuid>-*` in Vessel's libvirt pool, see
   * `importImages`) are deleted with it. Images the definition names otherwise are never touched.
   */
  async undefine(uuid: string): Promise<void> {
    const own = await this.images.owned(uuid);
    await this.act(uuid, 'undefine', 'undefine', (dom) =>
      // VIR_DOMAIN_UNDEFINE_NVRAM: an EFI domain's NVRAM goes with it (libvirt refuses otherwise).
      this.client.call('DOMAIN_UNDEFINE_FLAGS', { dom, flags: this.daemon.domainType === 'qemu' ? 4 : 0 }),
    );
    await this.images.delete(own);
  }

  async start(uuid: string): Promise<void> {
    await this.act(uuid, 'start', 'start', (dom) => this.client.call('DOMAIN_CREATE', { dom }));
    // Keep the serial output from the first byte; a driver without consoles (libvirt's test driver) has none.
    if (this.daemon.domainType !== 'test') {
      const dom = await this.look.mustDomain(uuid);
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
    const dom = await this.look.mustDomain(uuid);
    checkTransition(dom.name, (await this.look.stateOf(dom)).state, 'reset');
    await this.look.call(`Cannot reboot "${dom.name}"`, () =>
      this.client.call('DOMAIN_REBOOT', { dom, flags: 0 }),
    );
  }

  /** The serial console: the output kept since this driver saw the system start, and a live stream. */
  async console(uuid: string): Promise<ConsoleAccess> {
    const dom = await this.look.mustDomain(uuid);
    const { state } = await this.look.stateOf(dom);
    return this.consoles.access(
      uuidText(dom.uuid),
      dom,
      state !== 'stopped' && this.daemon.domainType !== 'test',
    );
  }

  /** The display of a running system as PNG (virDomainScreenshot; QEMU's PPM converted, see screenshot.ts). */
  async screenshot(uuid: string): Promise<Uint8Array> {
    return screenshotPng(this.look, await this.look.activeDomain(uuid, 'take a screenshot of'));
  }

  /** CPU time, memory, block and interface counters of a running system (one CONNECT_GET_ALL_DOMAIN_STATS). */
  async stats(uuid: string): Promise<DomainStats> {
    return readStats(this.look, await this.look.activeDomain(uuid, 'read the statistics of'));
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
   * over the connection, all or none (images.ts). libvirt's test driver runs no guest: its images stay.
   */
  importImages(uuid: string, paths: readonly string[]): Promise<Map<string, string>> {
    return this.images.import(uuid, paths);
  }

  /** Deletes volumes `importImages` made (by path), those still there. */
  discardImages(images: readonly string[]): Promise<void> {
    return this.images.discard(images);
  }

  /** Export hook: each image of the definition that is a libvirt volume, downloaded into a new file of `dir`. */
  exportImages(uuid: string, dir: string): Promise<Map<string, string>> {
    return this.images.export(uuid, dir);
  }

  /**
   * Hot-plugs a disk or NIC into a running domain and its definition (devices.ts): a disk on a controller QEMU
   * cannot hot-plug on (IDE, SATA) is refused, as the QEMU driver refuses it.
   */
  attachDevice(uuid: string, resource: ResourceSetting): Promise<void> {
    return this.hotplug.attach(uuid, resource);
  }

  /** Hot-unplugs a disk or NIC by its InstanceID and waits for the guest to release it (devices.ts). */
  detachDevice(uuid: string, instanceId: string): Promise<void> {
    return this.hotplug.detach(uuid, instanceId);
  }

  /** Modifies a stopped system: libvirt redefines a domain of the same UUID in place. */
  async modify(uuid: string, def: VirtualSystemDefinition): Promise<DomainInfo> {
    const dom = await this.look.mustDomain(uuid);
    checkTransition(dom.name, (await this.look.stateOf(dom)).state, 'modify');
    return this.define({ ...def, system: { ...def.system, VirtualSystemIdentifier: uuidText(dom.uuid) } });
  }
}
