import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_LIMITS,
  diskModeOf,
  firmwareOf,
  type HostLimits,
  imagePath,
  type ResourceSetting,
  readDevices,
  type VirtualSystemDefinition,
} from '../../model/index.js';
import { type DriverCapabilities, stateOperationsOf } from '../capabilities.js';
import { HypervisorError } from '../errors.js';
import { driveImages } from '../images.js';
import { operationsOf } from '../operations.js';
import { type DomainEntry, DomainTable } from '../table.js';
import { checkTransition } from '../transitions.js';
import type {
  DiskImage,
  DisplayAccess,
  DomainInfo,
  DriverDiagnostic,
  DriverEvent,
  DriverInfo,
  DriverNetwork,
  HypervisorDriver,
  MappingHints,
  MappingResult,
  ValidatePurpose,
  VmState,
} from '../types.js';
import { throwFirstError } from '../validate.js';
import type { AccelVerdict } from './accel.js';
import { type ArgvContext, buildQemuArgv } from './argv.js';
import { qemuCapabilities } from './capabilities.js';
import type { NetworkConfig } from './devices-argv.js';
import { QemuHandles } from './handles.js';
import { assignMacs } from './macs.js';
import { mapQemuHardware } from './map.js';
import { BUILTIN_NETWORK, networkConfig, writeNetworks } from './networks.js';
import { diskImage, overlayPath } from './overlay.js';
import { QemuProcess } from './process.js';
import type { QmpEvent } from './qmp.js';
import { type QemuUser, spawnIdentity } from './sandbox.js';
import { QEMU_SLOTS } from './slots.js';
import type { DriveImage } from './storage-argv.js';
import { bridgedTaps, createTaps, removeTaps } from './tap.js';
import { uefiFirmware } from './uefi.js';
import { validateForQemu } from './validate.js';
import { connectPrivateVnc, connectTcpVnc, type QemuVnc, vncOf } from './vnc.js';

/** What the QEMU driver keeps for a running system. */
export interface QemuRuntime {
  proc: QemuProcess;
  /** The API operation in flight, so QMP events it causes are attributed to the API. */
  op: string | undefined;
  /** Where its VNC server is (see `vncOf`); undefined without VNC graphics. */
  vnc: QemuVnc | undefined;
}

/** Options of the QEMU driver. */
interface QemuDriverOptions {
  uri: string;
  binary: string;
  version: string;
  accel: AccelVerdict;
  /** Per-system files: overlays, console log, QEMU's stderr. */
  stateDir: string;
  /** Short directory for QMP/console sockets and pid files. */
  runDir: string;
  /** Who QEMU runs as (see `resolveQemuUser`). */
  user: QemuUser;
  networks?: ReadonlyMap<string, NetworkConfig>;
  limits?: HostLimits;
}

/** The limits of this host: its CPUs and memory. */
function hostLimits(): HostLimits {
  return { ...DEFAULT_LIMITS, cpus: cpus().length, memoryBytes: BigInt(totalmem()) };
}

/**
 * The core of the `qemu:///embed` driver (see `QemuDriver`): the domain table, define, start, adoption and the
 * reaction to QMP events and process exit.
 */
export class QemuDriverCore implements HypervisorDriver {
  readonly uri: string;
  /** The host's store is the master: it loads every definition into this driver at start. */
  readonly ownsInventory = false;
  protected readonly table: DomainTable<QemuRuntime>;
  protected readonly limits: HostLimits;
  /** The networks of `networks.json` (kept in step with the file by defineNetwork and removeNetwork). */
  protected readonly nets: Map<string, NetworkConfig>;

  constructor(protected readonly o: QemuDriverOptions) {
    this.uri = o.uri;
    this.nets = new Map(o.networks ?? []);
    this.limits = o.limits ?? hostLimits();
    this.table = new DomainTable(this.limits, QEMU_SLOTS);
    mkdirSync(join(o.stateDir, 'vms'), { recursive: true, mode: 0o700 });
    mkdirSync(o.runDir, { recursive: true, mode: 0o700 });
  }

  async info(): Promise<DriverInfo> {
    return {
      driver: 'qemu',
      uri: this.uri,
      accelerator: this.o.accel.accel,
      acceleratorReason: this.o.accel.reason,
      hypervisorVersion: this.o.version,
      vmCount: this.table.size,
      capabilities: operationsOf(this),
    };
  }

  async capabilities(): Promise<DriverCapabilities> {
    return qemuCapabilities({
      uri: this.uri,
      version: this.o.version,
      accel: this.o.accel,
      limits: this.limits,
      operations: stateOperationsOf(operationsOf(this)),
    });
  }

  async list(): Promise<DomainInfo[]> {
    return this.table.list();
  }

  /**
   * The VNC display of a running system with VNC graphics. Each connection is a socket pair whose other end the
   * host hands to QEMU (see vnc.ts): QEMU listens nowhere. A QEMU adopted from an older Vessel that still
   * listens on the loopback is reached there.
   */
  async display(uuid: string): Promise<DisplayAccess | undefined> {
    const e = this.table.get(uuid);
    const vnc = e.state === 'running' || e.state === 'paused' ? e.runtime?.vnc : undefined;
    if (vnc === undefined) return undefined;
    const run = this.runPaths(e.uuid);
    return {
      protocol: 'vnc',
      connect: () =>
        vnc.kind === 'tcp' ? connectTcpVnc(vnc.host, vnc.port) : connectPrivateVnc(run.fdSocket, run.dir),
    };
  }

  /** The networks of `networks.json`, after the built-in `user` when the file does not list it. */
  async networks(): Promise<DriverNetwork[]> {
    const listed = [...this.nets].map(([name, c]): DriverNetwork => ({ name, ...c }));
    return this.nets.has(BUILTIN_NETWORK) ? listed : [{ name: BUILTIN_NETWORK, mode: 'user' }, ...listed];
  }

  /** Adds a network to `networks.json`; a system started afterwards (or a NIC plugged in) uses it. */
  async defineNetwork(n: DriverNetwork): Promise<void> {
    const { name, ...settings } = n;
    const config = networkConfig(name, settings, `network "${name}"`);
    const next = new Map(this.nets).set(name, config);
    writeNetworks(join(this.o.stateDir, 'networks.json'), next);
    this.nets.set(name, config);
  }

  /** Removes a network from `networks.json` (the built-in `user`, when the file does not list it, stays). */
  async removeNetwork(name: string): Promise<void> {
    if (!this.nets.has(name)) {
      throw new HypervisorError(
        'INVALID_STATE',
        name === BUILTIN_NETWORK
          ? `The network "${name}" is built in: it cannot be removed`
          : `No network "${name}" in ${join(this.o.stateDir, 'networks.json')}`,
      );
    }
    const next = new Map(this.nets);
    next.delete(name);
    writeNetworks(join(this.o.stateDir, 'networks.json'), next);
    this.nets.delete(name);
  }

  async lookup(uuidOrName: string): Promise<DomainInfo | undefined> {
    const e = this.table.find(uuidOrName);
    return e === undefined ? undefined : this.table.info(e);
  }

  async validate(def: VirtualSystemDefinition, purpose: ValidatePurpose): Promise<DriverDiagnostic[]> {
    return validateForQemu(def, purpose, {
      limits: this.limits,
      networks: this.nets,
      accel: this.o.accel.accel,
      uri: this.uri,
    });
  }

  mapHardware(resources: readonly ResourceSetting[], hints: MappingHints): MappingResult {
    return mapQemuHardware(resources, hints);
  }

  /**
   * Each drive's current content: a disk's overlay over its base once the system has run, else the base; in
   * direct mode the image itself.
   */
  async diskImages(uuid: string): Promise<DiskImage[]> {
    const e = this.table.get(uuid);
    const dir = this.vmDir(e.uuid);
    const direct = diskModeOf(e.def.system) === 'direct';
    return driveImages(e.def, (id, base) => {
      if (direct) return { path: base, chain: false };
      const over = overlayPath(dir, id, base);
      return existsSync(over) ? { path: over, chain: true } : { path: base, chain: false };
    });
  }

  /** The directory of a system's files (overlays, logs). */
  vmDir(uuid: string): string {
    return join(this.o.stateDir, 'vms', uuid);
  }

  /** The short directory of a system's sockets and pid file. */
  runPaths(uuid: string) {
    const dir = join(this.o.runDir, uuid);
    return {
      dir,
      qmpSocket: join(dir, 'qmp.sock'),
      fdSocket: join(dir, 'fds.sock'),
      consoleSocket: join(dir, 'console.sock'),
      pidFile: join(dir, 'qemu.pid'),
    };
  }

  async define(input: VirtualSystemDefinition): Promise<DomainInfo> {
    const def = assignMacs(this.table.prepare(input));
    const existing = this.table.find(def.system.VirtualSystemIdentifier!);
    if (existing !== undefined) checkTransition(existing.def.system.ElementName!, existing.state, 'modify');
    // The images, then the command line built once now, so what QEMU cannot do is refused at define time.
    throwFirstError(
      validateForQemu(def, 'define', {
        limits: this.limits,
        networks: this.nets,
        accel: this.o.accel.accel,
        uri: this.uri,
        modelChecked: true, // by prepare
      }),
    );
    return this.table.info(this.table.put(def));
  }

  async getDefinition(uuid: string): Promise<VirtualSystemDefinition> {
    return structuredClone(this.table.get(uuid).def);
  }

  async getState(uuid: string): Promise<DomainInfo> {
    return this.table.info(this.table.get(uuid));
  }

  subscribe(listener: (e: DriverEvent) => void): () => void {
    return this.table.subscribe(listener);
  }

  async close(options: { stopAll?: boolean } = {}): Promise<void> {
    const running = [...this.table.entries()].filter((e) => e.runtime !== undefined);
    if (options.stopAll) {
      await Promise.all(running.map((e) => this.stopProcess(e, 'powered off when the host stopped')));
      return;
    }
    for (const e of running) {
      e.runtime!.op = 'detach';
      e.runtime!.proc.qmp.close(); // QEMU keeps running; a later host adopts it
    }
  }

  /** Stops a system's QEMU and waits until it is gone. */
  protected async stopProcess(e: DomainEntry<QemuRuntime>, reason: string): Promise<void> {
    const rt = e.runtime;
    if (rt === undefined) return;
    rt.op = 'powerOff';
    await rt.proc.stop();
    if (e.state !== 'stopped') this.table.setState(e, 'stopped', reason, 'api');
  }

  private argvContext(def: VirtualSystemDefinition, images: ReadonlyMap<string, DriveImage>): ArgvContext {
    const uuid = def.system.VirtualSystemIdentifier!;
    const run = this.runPaths(uuid);
    const dir = this.vmDir(uuid);
    const uefi = firmwareOf(def.system).firmware === 'efi' ? uefiFirmware(dir, true) : undefined;
    return {
      uuid,
      ...(uefi ? { uefi } : {}),
      accel: this.o.accel.accel,
      qmpSocket: run.qmpSocket,
      fdSocket: run.fdSocket,
      console: {
        socket: run.consoleSocket,
        log: join(dir, 'console.log'),
        extraLog: (i) => join(dir, `serial${i}.log`),
      },
      images,
      networks: this.nets,
    };
  }

  async start(uuid: string): Promise<void> {
    const e = this.table.get(uuid);
    checkTransition(e.def.system.ElementName!, e.state, 'start');
    const dir = this.vmDir(e.uuid);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    mkdirSync(this.runPaths(e.uuid).dir, { recursive: true, mode: 0o700 });
    const images = new Map<string, DriveImage>();
    const mode = diskModeOf(e.def.system);
    for (const d of readDevices(e.def).drives) {
      const base = imagePath(d.hostResource);
      if (d.kind === 'disk' && base !== undefined)
        images.set(d.instanceId, await diskImage(dir, d.instanceId, base, mode));
    }
    const handles = new QemuHandles();
    const ctx = { ...this.argvContext(e.def, images), handles };
    const argv = buildQemuArgv(e.def, ctx);
    const paths = {
      qmpSocket: ctx.qmpSocket,
      pidFile: this.runPaths(e.uuid).pidFile,
      logFile: join(dir, 'qemu.log'),
    };
    spawnIdentity(this.o.user); // refuses a root host without QEMU's user before anything is made
    const taps = this.tapsOf(e);
    await createTaps(taps, this.o.user);
    let proc: QemuProcess;
    try {
      proc = await QemuProcess.spawn(this.o.binary, argv, paths, { handles, user: this.o.user });
    } catch (err) {
      await removeTaps(taps);
      throw err;
    }
    this.attach(e, proc, await vncOf(proc.qmp, this.hasVnc(e.def)));
    this.table.setState(e, 'running', 'started', 'api');
  }

  /** Adopts a system whose QEMU kept running while the host was down. */
  async adopt(uuid: string): Promise<DomainInfo> {
    const e = this.table.get(uuid);
    if (e.runtime !== undefined) return this.table.info(e);
    const run = this.runPaths(e.uuid);
    const paths = {
      qmpSocket: run.qmpSocket,
      pidFile: run.pidFile,
      logFile: join(this.vmDir(e.uuid), 'qemu.log'),
    };
    let proc: QemuProcess | undefined;
    try {
      proc = await QemuProcess.adopt(e.uuid, paths);
    } catch {
      proc = undefined;
    }
    if (proc === undefined) {
      if (e.state !== 'stopped')
        this.table.setState(e, 'stopped', 'QEMU exited while the host was down', 'adoption');
      return this.table.info(e);
    }
    this.attach(e, proc, await vncOf(proc.qmp, this.hasVnc(e.def)));
    const status = await proc.qmp.execute<{ status: string; running: boolean }>('query-status');
    const state: VmState = status.running ? 'running' : 'paused';
    this.table.setState(e, state, `adopted (QEMU pid ${proc.pid}, ${status.status})`, 'adoption');
    return this.table.info(e);
  }

  /** The tap devices of a system's NICs on bridge networks. */
  private tapsOf(e: DomainEntry<QemuRuntime>) {
    return bridgedTaps(e.uuid, readDevices(e.def).nics, this.nets);
  }

  private attach(e: DomainEntry<QemuRuntime>, proc: QemuProcess, vnc: QemuVnc | undefined): void {
    const rt: QemuRuntime = { proc, op: undefined, vnc };
    e.runtime = rt;
    proc.qmp.on('event', (ev: QmpEvent) => this.onQmpEvent(e, rt, ev));
    void proc.exited.then((x) => {
      if (e.runtime !== rt) return;
      e.runtime = undefined;
      if (rt.op === 'detach') return;
      void removeTaps(this.tapsOf(e));
      this.table.setState(
        e,
        'stopped',
        x.reason,
        x.byGuest ? 'guest' : rt.op === 'powerOff' ? 'api' : 'process-exit',
      );
    });
  }

  private onQmpEvent(e: DomainEntry<QemuRuntime>, rt: QemuRuntime, ev: QmpEvent): void {
    const cause = rt.op !== undefined ? 'api' : 'guest';
    if (ev.event === 'STOP' && rt.op !== 'powerOff') {
      this.table.setState(e, 'paused', rt.op === 'pause' ? 'paused' : 'paused by QEMU', cause);
    } else if (ev.event === 'RESUME') {
      this.table.setState(e, 'running', rt.op === 'resume' ? 'resumed' : 'running', cause);
    } else if (ev.event === 'RESET') {
      this.table.emit({
        uuid: e.uuid,
        kind: 'reset',
        reason: String(ev.data.reason ?? 'reset'),
        cause,
        time: new Date(),
      });
    } else if (ev.event === 'DEVICE_DELETED') {
      this.table.emit({
        uuid: e.uuid,
        kind: 'device-deleted',
        reason: 'device removed',
        cause,
        time: new Date(),
        detail: ev.data,
      });
    } else if (ev.event === 'BALLOON_CHANGE') {
      this.table.emit({
        uuid: e.uuid,
        kind: 'balloon',
        reason: `balloon ${String(ev.data.actual)}`,
        cause,
        time: new Date(),
      });
    }
  }

  /** Whether a definition asks for VNC graphics (QEMU then runs `-vnc none`). */
  private hasVnc(def: VirtualSystemDefinition): boolean {
    return readDevices(def).graphics[0]?.vnc === true;
  }

  async undefine(uuid: string): Promise<void> {
    const e = this.table.get(uuid);
    checkTransition(e.def.system.ElementName!, e.state, 'undefine');
    this.table.remove(e.uuid);
    await removeTaps(this.tapsOf(e));
    rmSync(this.vmDir(e.uuid), { recursive: true, force: true });
    rmSync(this.runPaths(e.uuid).dir, { recursive: true, force: true });
  }
}
