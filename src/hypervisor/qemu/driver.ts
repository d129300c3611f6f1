import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import {
  diskModeOf,
  imagePath,
  memoryBytes,
  type ResourceSetting,
  readDevices,
  type VirtualSystemDefinition,
} from '../../model/index.js';
import { HypervisorError } from '../errors.js';
import { checkHotplugBus } from '../hotplug-bus.js';
import type { DomainEntry } from '../table.js';
import { checkTransition, type LifecycleOp } from '../transitions.js';
import type { ConsoleAccess, DomainInfo, DomainStats } from '../types.js';
import { QEMU_CONTROLLER_CAPABILITIES } from './capabilities.js';
import { QemuDriverCore, type QemuRuntime } from './core.js';
import { nicPlan } from './devices-argv.js';
import { addDiskNodes, screendumpPng } from './fdpass.js';
import { driveDevice } from './hotplug.js';
import { assignMacs } from './macs.js';
import { nodeName, qemuId } from './options.js';
import { diskImage } from './overlay.js';
import type { QmpClient, QmpEvent } from './qmp.js';
import { processStats, tapCounters, USER_NET_NO_COUNTERS } from './stats.js';
import { bridgedTaps, createTaps, removeTaps } from './tap.js';

/** Reads the last `maxBytes` of a file as text; empty when it does not exist. */
function tail(file: string, maxBytes: number): string {
  try {
    const buf = readFileSync(file);
    return buf.subarray(Math.max(0, buf.length - maxBytes)).toString('utf8');
  } catch {
    return '';
  }
}

/**
 * Removes a drive's block nodes (top first) and the fd sets that held their descriptors, once no device uses them;
 * nodes that are not there are skipped.
 */
async function releaseNodes(qmp: QmpClient, node: string): Promise<void> {
  for (const n of [node, `${node}-file`, `${node}-base`, `${node}-base-file`]) {
    await qmp.execute('blockdev-del', { 'node-name': n }).catch(() => undefined);
  }
  const sets = await qmp.execute<{ 'fdset-id': number; fds: { opaque?: string }[] }[]>('query-fdsets');
  for (const set of sets) {
    if (set.fds.some((f) => f.opaque === node || f.opaque === `${node}-base`)) {
      await qmp.execute('remove-fd', { 'fdset-id': set['fdset-id'] }).catch(() => undefined);
    }
  }
}

/**
 * The `qemu:///embed` driver, Vessel's embedded default: each system is one QEMU process started from the
 * definition's command line and controlled over QMP (shutdown = ACPI power button, power off = quit, pause,
 * resume, reset, balloon, disk/NIC hot-plug), with its serial console logged and attachable, its disks as qcow2
 * overlays, and re-adoption of running QEMUs after a host restart.
 */
export class QemuDriver extends QemuDriverCore {
  /** Runs a QMP command for an operation, so the events it causes are attributed to the API. */
  private async op<T>(uuid: string, op: LifecycleOp, command: string, args?: Record<string, unknown>) {
    const e = this.table.get(uuid);
    checkTransition(e.def.system.ElementName!, e.state, op);
    const rt = this.runtimeOf(e, op);
    rt.op = op;
    try {
      return { e, result: await rt.proc.qmp.execute<T>(command, args) };
    } finally {
      rt.op = undefined;
    }
  }

  private runtimeOf(e: DomainEntry<QemuRuntime>, what: string): QemuRuntime {
    if (e.runtime === undefined) {
      throw new HypervisorError(
        'INVALID_STATE',
        `Cannot ${what} "${e.def.system.ElementName}": it is stopped`,
      );
    }
    return e.runtime;
  }

  async shutdown(uuid: string): Promise<void> {
    await this.op(uuid, 'shutdown', 'system_powerdown');
  }

  async powerOff(uuid: string): Promise<void> {
    const e = this.table.get(uuid);
    checkTransition(e.def.system.ElementName!, e.state, 'powerOff');
    await this.stopProcess(e, 'powered off');
  }

  async pause(uuid: string): Promise<void> {
    const { e } = await this.op(uuid, 'pause', 'stop');
    this.table.setState(e, 'paused', 'paused', 'api');
  }

  async resume(uuid: string): Promise<void> {
    const { e } = await this.op(uuid, 'resume', 'cont');
    this.table.setState(e, 'running', 'resumed', 'api');
  }

  async reset(uuid: string): Promise<void> {
    await this.op(uuid, 'reset', 'system_reset');
  }

  async modify(uuid: string, def: VirtualSystemDefinition): Promise<DomainInfo> {
    const e = this.table.get(uuid);
    checkTransition(e.def.system.ElementName!, e.state, 'modify');
    return this.define({ ...def, system: { ...def.system, VirtualSystemIdentifier: e.uuid } });
  }

  async setMemory(uuid: string, bytes: bigint): Promise<void> {
    const e = this.table.get(uuid);
    const rt = this.runtimeOf(e, 'set the memory of');
    const max = memoryBytes(e.def) ?? 0n;
    if (bytes < 1n << 20n || bytes > max) {
      throw new HypervisorError('INVALID_STATE', `The balloon target must be between 1 MiB and ${max} bytes`);
    }
    await rt.proc.qmp.execute('balloon', { value: Number(bytes) });
  }

  /**
   * Hot-plugs a disk or a NIC into a running system with the objects the start path builds: a disk on a new overlay
   * over its read-only image (both passed to QEMU as descriptors, `addDiskNodes`) and the `-device` the command
   * line would give it (its controller, bus and unit: `driveDevice`); a NIC with `nicPlan`'s netdev and device, on
   * the network `networks.json` gives its Connection (user-mode forwards, a bridge's tap, or none).
   */
  async attachDevice(uuid: string, resource: ResourceSetting): Promise<void> {
    const e = this.table.get(uuid);
    const rt = this.runtimeOf(e, 'attach a device to');
    const next = structuredClone(e.def);
    const added = structuredClone(resource);
    // A device without an InstanceID gets the next free whole number: the QEMU ids and node names come from it.
    added.properties.InstanceID ??= String(
      Math.max(
        0,
        ...next.resources.map((x) => Number(x.properties.InstanceID)).filter(Number.isSafeInteger),
      ) + 1,
    );
    next.resources.push(added);
    const def = assignMacs(this.table.prepare(next));
    const r = def.resources[def.resources.length - 1]!;
    const id = r.properties.InstanceID!;
    const device = readDevices(def).byId(id);
    checkHotplugBus(def, id, QEMU_CONTROLLER_CAPABILITIES, 'QEMU'); // IDE, SATA, NVMe: refused before QMP
    if (device?.device === 'drive' && device.kind === 'disk') await this.attachDisk(e, rt, def, id);
    else if (device?.device === 'nic') await this.attachNic(e, rt, def, id);
    else {
      throw new HypervisorError(
        'NOT_SUPPORTED',
        'Only disks and network adapters can be attached while running',
      );
    }
    e.def = def;
  }

  private async attachDisk(
    e: DomainEntry<QemuRuntime>,
    rt: QemuRuntime,
    def: VirtualSystemDefinition,
    id: string,
  ): Promise<void> {
    const drive = readDevices(def).drives.find((d) => d.instanceId === id)!;
    const base = imagePath(drive.hostResource);
    if (base === undefined) throw new HypervisorError('DEFINITION_INVALID', `Disk "${id}" has no image path`);
    const img = await diskImage(this.vmDir(e.uuid), id, base, diskModeOf(def.system));
    const device = driveDevice(def, id, img); // refuses what the command line would refuse, before QEMU is touched
    const node = nodeName(id);
    await addDiskNodes(this.runPaths(e.uuid).fdSocket, node, img);
    try {
      await rt.proc.qmp.execute('device_add', device);
    } catch (err) {
      await releaseNodes(rt.proc.qmp, node);
      throw err;
    }
  }

  private async attachNic(
    e: DomainEntry<QemuRuntime>,
    rt: QemuRuntime,
    def: VirtualSystemDefinition,
    id: string,
  ): Promise<void> {
    const nic = readDevices(def).nics.find((n) => n.instanceId === id)!;
    const plan = nicPlan(nic, this.nets, e.uuid);
    if (plan === undefined) return; // on a network of mode none: defined, as at start, with nothing in QEMU
    const taps = bridgedTaps(e.uuid, [nic], this.nets);
    await createTaps(taps, this.o.user);
    const qmp = rt.proc.qmp;
    try {
      await qmp.execute('netdev_add', plan.netdev);
      try {
        await qmp.execute('device_add', plan.device);
      } catch (err) {
        await qmp.execute('netdev_del', { id: plan.netdev.id }).catch(() => undefined);
        throw err;
      }
    } catch (err) {
      await removeTaps(taps);
      throw err;
    }
  }

  /**
   * Hot-unplugs a disk or NIC; waits (10 s) for the guest to release it (DEVICE_DELETED), then removes what backed
   * it: a disk's block nodes and descriptors, a NIC's netdev and tap.
   */
  async detachDevice(uuid: string, instanceId: string): Promise<void> {
    const e = this.table.get(uuid);
    const rt = this.runtimeOf(e, 'detach a device from');
    const r = e.def.resources.find((x) => x.properties.InstanceID === instanceId);
    const device = readDevices(e.def).byId(instanceId);
    if (r === undefined || device === undefined)
      throw new HypervisorError('VM_NOT_FOUND', `No device "${instanceId}" in "${e.def.system.ElementName}"`);
    const nic = device.device === 'nic';
    const dev = qemuId(nic ? 'nic' : 'dev', instanceId);
    const taps = nic ? bridgedTaps(e.uuid, [device], this.nets) : [];
    const deleted = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        rt.proc.qmp.off('event', on);
        reject(
          new HypervisorError('TIMEOUT', `The guest did not release device "${instanceId}" within 10 s`),
        );
      }, 10_000);
      const on = (ev: QmpEvent) => {
        if (ev.event === 'DEVICE_DELETED' && ev.data.device === dev) {
          clearTimeout(timer);
          rt.proc.qmp.off('event', on);
          resolve();
        }
      };
      rt.proc.qmp.on('event', on);
    });
    await rt.proc.qmp.execute('device_del', { id: dev });
    await deleted;
    if (nic) {
      await rt.proc.qmp.execute('netdev_del', { id: qemuId('net', instanceId) }).catch(() => undefined);
      await removeTaps(taps);
    } else await releaseNodes(rt.proc.qmp, nodeName(instanceId));
    e.def.resources = e.def.resources.filter((x) => x !== r);
  }

  async console(uuid: string): Promise<ConsoleAccess> {
    const e = this.table.get(uuid);
    const log = join(this.vmDir(e.uuid), 'console.log');
    const socket = this.runPaths(e.uuid).consoleSocket;
    return {
      readLog: async (maxBytes = 1 << 20) => tail(log, maxBytes),
      attach: async () => {
        this.runtimeOf(e, 'attach to the console of');
        const s = connect(socket);
        await new Promise<void>((resolve, reject) => {
          s.once('connect', resolve);
          s.once('error', reject);
        });
        return s;
      },
    };
  }

  /** The display as PNG: QMP `screendump` into a file the host opened and passed (see `screendumpPng`). */
  async screenshot(uuid: string): Promise<Uint8Array> {
    const e = this.table.get(uuid);
    this.runtimeOf(e, 'take a screenshot of');
    if (readDevices(e.def).graphics.length === 0)
      throw new HypervisorError(
        'NOT_SUPPORTED',
        `"${e.def.system.ElementName}" has no display to take a screenshot of (its definition has no graphics)`,
      );
    return screendumpPng(this.runPaths(e.uuid).fdSocket, join(this.vmDir(e.uuid), 'screendump.png'));
  }

  async stats(uuid: string): Promise<DomainStats> {
    const e = this.table.get(uuid);
    const rt = this.runtimeOf(e, 'read the statistics of');
    const proc = processStats(rt.proc.pid);
    const blocks =
      await rt.proc.qmp.execute<{ device: string; 'node-name'?: string; stats: Record<string, number> }[]>(
        'query-blockstats',
      );
    const balloon = await rt.proc.qmp.execute<{ actual: number }>('query-balloon').catch(() => undefined);
    const disks = readDevices(e.def)
      .drives.filter((d) => d.kind === 'disk')
      .map((d) => {
        // Drives on -blockdev nodes have anonymous backends: QEMU names them by their root node.
        const node = nodeName(d.instanceId);
        const s = blocks.find((b) => b.device === node || b['node-name'] === node)?.stats ?? {};
        return {
          instanceId: d.instanceId,
          readBytes: BigInt(s.rd_bytes ?? 0),
          writeBytes: BigInt(s.wr_bytes ?? 0),
          readOps: BigInt(s.rd_operations ?? 0),
          writeOps: BigInt(s.wr_operations ?? 0),
        };
      });
    // Bridged NICs have taps whose counters the host reads; user-mode ones have none.
    const nicDevices = readDevices(e.def).nics;
    const taps = new Map(bridgedTaps(e.uuid, nicDevices, this.nets).map((t) => [t.nic, t.name]));
    const nics = nicDevices.flatMap((n) => {
      const tap = taps.get(n.instanceId);
      const c = tap === undefined ? undefined : tapCounters(tap);
      return c === undefined ? [] : [{ instanceId: n.instanceId, ...c }];
    });
    return {
      cpuTimeNs: proc.cpuTimeNs,
      memoryBytes: memoryBytes(e.def) ?? 0n,
      ...(proc.residentBytes === undefined ? {} : { residentBytes: proc.residentBytes }),
      ...(balloon === undefined ? {} : { balloonBytes: BigInt(balloon.actual) }),
      disks,
      nics,
      ...(nics.length < nicDevices.length ? { nicsUnavailable: USER_NET_NO_COUNTERS } : {}),
    };
  }
}
