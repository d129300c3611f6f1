import { PassThrough } from 'node:stream';
import {
  DEFAULT_LIMITS,
  type HostLimits,
  memoryBytes,
  type ResourceSetting,
  readDevices,
  type VirtualSystemDefinition,
} from '../../model/index.js';
import { type DriverCapabilities, stateOperationsOf } from '../capabilities.js';
import { capabilityProblems } from '../capability-check.js';
import { HypervisorError } from '../errors.js';
import { driveImages } from '../images.js';
import { operationsOf } from '../operations.js';
import { encodePng } from '../png.js';
import type { NetworkConfig } from '../qemu/devices-argv.js';
import { mapQemuHardware } from '../qemu/map.js';
import { BUILTIN_NETWORK, networkConfig } from '../qemu/networks.js';
import { QEMU_SLOTS } from '../qemu/slots.js';
import { DomainTable } from '../table.js';
import { checkTransition } from '../transitions.js';
import type {
  ConsoleAccess,
  DiskImage,
  DisplayAccess,
  DomainInfo,
  DomainStats,
  DriverDiagnostic,
  DriverEvent,
  DriverInfo,
  DriverNetwork,
  HypervisorDriver,
  MappingHints,
  MappingResult,
  ValidatePurpose,
} from '../types.js';
import { commonDiagnostics, throwFirstError } from '../validate.js';
import { testCapabilities } from './capabilities.js';
import { InventoryFile } from './inventory.js';

interface TestRuntime {
  startedAt: number;
  cpuNs: bigint;
  balloon: bigint | undefined;
  log: string[];
  /** The attached serial lines, ended when the system stops (as QEMU's socket closes when it exits). */
  lines?: Set<PassThrough> | undefined;
}

/**
 * A VSSD property the test driver reads (and no other driver does): with `true`, the system's guest ignores the
 * ACPI power button, as a guest without ACPI support does. The API conformance runner's `guestIgnoringShutdown`
 * fixture sets it.
 */
export const TEST_GUEST_IGNORES_SHUTDOWN = 'VesselTestIgnoresShutdown';

/** Options of the in-memory driver. */
export interface TestDriverOptions {
  limits?: HostLimits;
  /** How long a simulated guest takes to power off after an ACPI shutdown request, in ms (default 5). */
  shutdownDelayMs?: number;
  /** Check that image files exist, as real drivers do (default true). */
  checkFiles?: boolean;
  /**
   * Own the inventory, as libvirt or Hyper-V do (`test:///default?owns=1`): the host reads systems from this driver
   * and loads nothing into it. With `inventoryFile`, definitions are kept in that file across driver instances.
   */
  ownsInventory?: boolean;
  inventoryFile?: string;
}

/**
 * The `test:///` driver: a complete hypervisor in memory, on the same domain table and transition rules as the
 * QEMU driver, offering the embedded QEMU driver's device set (its capabilities and deploy mapping), so host tests
 * on test:/// see what deploys on qemu:/// see. Guests "boot" at once and print one line on their console; an
 * ACPI shutdown powers them off after `shutdownDelayMs`. Used by the conformance runner, the host's tests and the
 * scale benchmarks (10,000 systems). With `ownsInventory` it stands for a hypervisor that keeps its own inventory.
 */
export class TestDriver implements HypervisorDriver {
  readonly ownsInventory: boolean;
  private readonly table: DomainTable<TestRuntime>;
  private readonly limits: HostLimits;
  private readonly shutdownDelayMs: number;
  private readonly checkFiles: boolean;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inventory: InventoryFile | undefined;
  private readonly deaf = new Set<string>();
  /** Networks defined on it, in memory (the built-in `user` besides, as the QEMU driver has). */
  private readonly nets = new Map<string, NetworkConfig>();

  constructor(
    readonly uri = 'test:///default',
    options: TestDriverOptions = {},
  ) {
    this.limits = options.limits ?? DEFAULT_LIMITS;
    this.table = new DomainTable(this.limits, QEMU_SLOTS);
    this.shutdownDelayMs = options.shutdownDelayMs ?? 5;
    this.checkFiles = options.checkFiles ?? true;
    this.ownsInventory = options.ownsInventory ?? false;
    this.inventory =
      this.ownsInventory && options.inventoryFile !== undefined
        ? new InventoryFile(options.inventoryFile)
        : undefined;
    this.refresh();
  }

  /**
   * Makes the guest of the system named `name` (defined now or later) ignore the ACPI power button, as
   * {@link TEST_GUEST_IGNORES_SHUTDOWN} does, for a test whose definitions travel over a protocol that cannot carry
   * that property (CIM's DefineSystem).
   *
   * @example
   * driver.ignoreShutdownOf('deaf1');
   */
  ignoreShutdownOf(name: string): void {
    this.deaf.add(name);
  }

  /** Reads the inventory file again when another driver changed it: systems appear, vanish or change. */
  private refresh(): void {
    if (this.inventory === undefined || !this.inventory.changed()) return;
    const defs = this.inventory.read();
    const keep = new Set<string>();
    for (const def of defs) {
      const uuid = def.system.VirtualSystemIdentifier ?? '';
      keep.add(uuid);
      const old = this.table.find(uuid);
      if (old !== undefined) this.table.remove(uuid);
      const entry = this.table.put(def);
      if (old !== undefined) {
        entry.state = old.state;
        entry.reason = old.reason;
        entry.runtime = old.runtime;
      }
    }
    for (const e of [...this.table.entries()]) if (!keep.has(e.uuid)) this.table.remove(e.uuid);
  }

  /** Writes the inventory file after a change (owning mode only). */
  private persist(): void {
    this.inventory?.write([...this.table.entries()].map((e) => e.def));
  }

  async capabilities(): Promise<DriverCapabilities> {
    return testCapabilities({
      uri: this.uri,
      ownsInventory: this.ownsInventory,
      limits: this.limits,
      operations: stateOperationsOf(operationsOf(this)),
    });
  }

  /** Model rules, images (unless `checkFiles` is off) and the definition against {@link capabilities}. */
  async validate(def: VirtualSystemDefinition, purpose: ValidatePurpose): Promise<DriverDiagnostic[]> {
    return this.check(def, purpose, false);
  }

  private async check(def: VirtualSystemDefinition, purpose: ValidatePurpose, modelChecked: boolean) {
    const common = commonDiagnostics(def, this.checkFiles ? purpose : 'deploy', this.limits, {
      modelChecked,
      slots: QEMU_SLOTS,
    });
    if (common.length > 0) return common;
    return capabilityProblems(def, await this.capabilities());
  }

  /** The deploy mapping of the embedded QEMU driver (hypervisor/qemu/map.ts), whose device set this driver offers. */
  mapHardware(resources: readonly ResourceSetting[], hints: MappingHints): MappingResult {
    return mapQemuHardware(resources, hints);
  }

  /** The drives' images as the definition names them: this driver writes no overlays. */
  async diskImages(uuid: string): Promise<DiskImage[]> {
    this.refresh();
    return driveImages(this.table.get(uuid).def, (_id, base) => ({ path: base, chain: false }));
  }

  async info(): Promise<DriverInfo> {
    return {
      driver: 'test',
      uri: this.uri,
      accelerator: 'none',
      acceleratorReason: 'the test driver runs no guest code',
      vmCount: this.table.size,
      capabilities: operationsOf(this),
    };
  }

  /**
   * A running system's simulated VNC display: there when its definition has VNC graphics, as on QEMU; a
   * connection to it is `NOT_SUPPORTED` (nothing serves RFB here).
   */
  async display(uuid: string): Promise<DisplayAccess | undefined> {
    const e = this.table.get(uuid);
    const live = e.state === 'running' || e.state === 'paused';
    if (!live || readDevices(e.def).graphics[0]?.vnc !== true) return undefined;
    const name = e.def.system.ElementName;
    return {
      protocol: 'vnc',
      connect: async () => {
        throw new HypervisorError(
          'NOT_SUPPORTED',
          `The display of "${name}" is simulated: nothing serves RFB`,
        );
      },
    };
  }

  /** The built-in `user` network (unless redefined) and the networks defined on it, as the QEMU driver lists its own. */
  async networks(): Promise<DriverNetwork[]> {
    const listed = [...this.nets].map(([name, c]): DriverNetwork => ({ name, ...c }));
    return this.nets.has(BUILTIN_NETWORK) ? listed : [{ name: BUILTIN_NETWORK, mode: 'user' }, ...listed];
  }

  /** Adds a network in memory, checked as the QEMU driver checks its networks.json. */
  async defineNetwork(n: DriverNetwork): Promise<void> {
    const { name, ...settings } = n;
    this.nets.set(name, networkConfig(name, settings, `network "${name}"`));
  }

  /** Removes a network defined on it; the built-in `user` stays. */
  async removeNetwork(name: string): Promise<void> {
    if (!this.nets.delete(name)) {
      throw new HypervisorError(
        'INVALID_STATE',
        name === BUILTIN_NETWORK
          ? `The network "${name}" is built in: it cannot be removed`
          : `No network "${name}" on ${this.uri}`,
      );
    }
  }

  async list(): Promise<DomainInfo[]> {
    this.refresh();
    return this.table.list();
  }

  async lookup(uuidOrName: string): Promise<DomainInfo | undefined> {
    this.refresh();
    const e = this.table.find(uuidOrName);
    return e === undefined ? undefined : this.table.info(e);
  }

  async define(input: VirtualSystemDefinition): Promise<DomainInfo> {
    this.refresh();
    const def = this.table.prepare(input);
    const existing = this.table.find(def.system.VirtualSystemIdentifier!);
    if (existing !== undefined) checkTransition(existing.def.system.ElementName!, existing.state, 'modify');
    throwFirstError(await this.check(def, 'define', true)); // the model's rules: by prepare
    const info = this.table.info(this.table.put(def));
    this.persist();
    return info;
  }

  async getDefinition(uuid: string): Promise<VirtualSystemDefinition> {
    this.refresh();
    return structuredClone(this.table.get(uuid).def);
  }

  async getState(uuid: string): Promise<DomainInfo> {
    this.refresh();
    return this.table.info(this.table.get(uuid));
  }

  subscribe(listener: (e: DriverEvent) => void): () => void {
    return this.table.subscribe(listener);
  }

  async close(options: { stopAll?: boolean } = {}): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (options.stopAll) {
      for (const e of this.table.entries())
        if (e.state !== 'stopped') this.table.setState(e, 'stopped', 'host closed', 'host');
    }
  }

  async undefine(uuid: string): Promise<void> {
    const e = this.table.get(uuid);
    checkTransition(e.def.system.ElementName!, e.state, 'undefine');
    this.table.remove(e.uuid);
    this.persist();
  }

  async start(uuid: string): Promise<void> {
    const e = this.table.get(uuid);
    checkTransition(e.def.system.ElementName!, e.state, 'start');
    const log = e.runtime?.log ?? [];
    log.push(`VESSEL-GUEST-UP test-driver name=${e.def.system.ElementName}`);
    e.runtime = { startedAt: Date.now(), cpuNs: 0n, balloon: undefined, log };
    this.table.setState(e, 'running', 'started', 'api');
  }

  async shutdown(uuid: string): Promise<void> {
    const e = this.table.get(uuid);
    checkTransition(e.def.system.ElementName!, e.state, 'shutdown');
    const deaf =
      e.def.system[TEST_GUEST_IGNORES_SHUTDOWN] === 'true' || this.deaf.has(e.def.system.ElementName ?? '');
    if (deaf) return; // the button is pressed; nobody listens
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (e.state === 'running') this.stopped(e.uuid, 'guest powered off (ACPI shutdown)', 'guest');
    }, this.shutdownDelayMs);
    this.timers.add(t);
  }

  async powerOff(uuid: string): Promise<void> {
    const e = this.table.get(uuid);
    checkTransition(e.def.system.ElementName!, e.state, 'powerOff');
    this.stopped(e.uuid, 'powered off', 'api');
  }

  private stopped(uuid: string, reason: string, cause: DriverEvent['cause']): void {
    const e = this.table.find(uuid);
    if (e === undefined) return;
    if (e.runtime) e.runtime.log.push('reboot: Power down');
    for (const line of e.runtime?.lines ?? []) line.end();
    if (e.runtime) e.runtime.lines = undefined;
    this.table.setState(e, 'stopped', reason, cause);
  }

  async pause(uuid: string): Promise<void> {
    const e = this.table.get(uuid);
    checkTransition(e.def.system.ElementName!, e.state, 'pause');
    this.table.setState(e, 'paused', 'paused', 'api');
  }

  async resume(uuid: string): Promise<void> {
    const e = this.table.get(uuid);
    checkTransition(e.def.system.ElementName!, e.state, 'resume');
    this.table.setState(e, 'running', 'resumed', 'api');
  }

  async reset(uuid: string): Promise<void> {
    const e = this.table.get(uuid);
    checkTransition(e.def.system.ElementName!, e.state, 'reset');
    e.runtime?.log.push(`VESSEL-GUEST-UP test-driver name=${e.def.system.ElementName} (reset)`);
    this.table.emit({ uuid: e.uuid, kind: 'reset', reason: 'reset', cause: 'api', time: new Date() });
  }

  async modify(uuid: string, def: VirtualSystemDefinition): Promise<DomainInfo> {
    const e = this.table.get(uuid);
    checkTransition(e.def.system.ElementName!, e.state, 'modify');
    return this.define({ ...def, system: { ...def.system, VirtualSystemIdentifier: e.uuid } });
  }

  async setMemory(uuid: string, bytes: bigint): Promise<void> {
    const e = this.running(uuid, 'set the memory of');
    const max = memoryBytes(e.def) ?? 0n;
    if (bytes <= 0n || bytes > max) {
      throw new HypervisorError(
        'INVALID_STATE',
        `The balloon target must be between 1 byte and ${max} bytes`,
      );
    }
    e.runtime!.balloon = bytes;
    this.table.emit({
      uuid: e.uuid,
      kind: 'balloon',
      reason: `balloon ${bytes}`,
      cause: 'api',
      time: new Date(),
    });
  }

  async attachDevice(uuid: string, resource: ResourceSetting): Promise<void> {
    const e = this.running(uuid, 'attach a device to');
    const next = structuredClone(e.def);
    next.resources.push(structuredClone(resource));
    const def = this.table.prepare(next);
    throwFirstError(await this.check(def, 'define', true));
    e.def = def;
    this.persist();
  }

  async detachDevice(uuid: string, instanceId: string): Promise<void> {
    const e = this.running(uuid, 'detach a device from');
    const i = e.def.resources.findIndex((r) => r.properties.InstanceID === instanceId);
    if (i < 0)
      throw new HypervisorError('VM_NOT_FOUND', `No device "${instanceId}" in "${e.def.system.ElementName}"`);
    e.def.resources.splice(i, 1);
    this.persist();
    this.table.emit({
      uuid: e.uuid,
      kind: 'device-deleted',
      reason: `device ${instanceId} removed`,
      cause: 'api',
      time: new Date(),
      detail: { instanceId },
    });
  }

  private running(uuid: string, verb: string) {
    const e = this.table.get(uuid);
    if (e.state === 'stopped' || e.runtime === undefined) {
      throw new HypervisorError(
        'INVALID_STATE',
        `Cannot ${verb} "${e.def.system.ElementName}": it is stopped`,
      );
    }
    return e;
  }

  async console(uuid: string): Promise<ConsoleAccess> {
    const e = this.table.get(uuid);
    return {
      readLog: async (maxBytes = 1 << 20) => {
        const text = (e.runtime?.log ?? []).map((l) => `${l}\n`).join('');
        return text.length > maxBytes ? text.slice(-maxBytes) : text;
      },
      attach: async () => {
        if (e.state === 'stopped') {
          throw new HypervisorError(
            'INVALID_STATE',
            `Cannot attach to the console of "${e.def.system.ElementName}": it is stopped`,
          );
        }
        const line = new PassThrough(); // a loopback serial line: what is written comes back
        if (e.runtime) {
          e.runtime.lines ??= new Set();
          const lines = e.runtime.lines;
          lines.add(line);
          line.once('close', () => lines.delete(line));
        }
        return line;
      },
    };
  }

  /** A 64x48 PNG whose colours come from the system's UUID (so two systems' pictures differ). */
  async screenshot(uuid: string): Promise<Uint8Array> {
    const e = this.running(uuid, 'take a screenshot of');
    const seed = Number.parseInt(e.uuid.slice(0, 6), 16) || 0x336699;
    const [r, g, b] = [(seed >> 16) & 0xff, (seed >> 8) & 0xff, seed & 0xff];
    return encodePng(64, 48, (x, y) =>
      ((x >> 3) + (y >> 3)) % 2 === 0 ? [r, g, b] : [255 - r, 255 - g, 255 - b],
    );
  }

  async stats(uuid: string): Promise<DomainStats> {
    const e = this.running(uuid, 'read the statistics of');
    const rt = e.runtime!;
    const mem = memoryBytes(e.def) ?? 0n;
    return {
      cpuTimeNs: BigInt(Date.now() - rt.startedAt) * 1_000_000n,
      memoryBytes: mem,
      ...(rt.balloon === undefined ? {} : { balloonBytes: rt.balloon }),
      // No guest reads or sends anything: every disk and NIC is there, with its counters at zero.
      disks: readDevices(e.def)
        .drives.filter((d) => d.kind === 'disk')
        .map((d) => ({ instanceId: d.instanceId, readBytes: 0n, writeBytes: 0n, readOps: 0n, writeOps: 0n })),
      nics: readDevices(e.def).nics.map((n) => ({
        instanceId: n.instanceId,
        rxBytes: 0n,
        txBytes: 0n,
      })),
    };
  }

  async adopt(uuid: string): Promise<DomainInfo> {
    return await this.getState(uuid);
  }

  /** Test hook: makes a running system stop as if its process had died. */
  simulateCrash(uuid: string, reason: string): void {
    this.stopped(uuid, reason, 'process-exit');
  }
}
