import { PassThrough } from 'node:stream';
import {
  DEFAULT_LIMITS,
  type HostLimits,
  memoryBytes,
  type ResourceSetting,
  type VirtualSystemDefinition,
} from '../../model/index.js';
import { HypervisorError } from '../errors.js';
import { checkImagesExist } from '../files.js';
import { operationsOf } from '../operations.js';
import { DomainTable } from '../table.js';
import { checkTransition } from '../transitions.js';
import type {
  ConsoleAccess,
  DomainInfo,
  DomainStats,
  DriverEvent,
  DriverInfo,
  HypervisorDriver,
} from '../types.js';

interface TestRuntime {
  startedAt: number;
  cpuNs: bigint;
  balloon: bigint | undefined;
  log: string[];
}

/** Options of the in-memory driver. */
export interface TestDriverOptions {
  limits?: HostLimits;
  /** How long a simulated guest takes to power off after an ACPI shutdown request, in ms (default 5). */
  shutdownDelayMs?: number;
  /** Check that image files exist, as real drivers do (default true). */
  checkFiles?: boolean;
}

/**
 * The `test:///` driver: a complete hypervisor in memory, on the same domain table and transition rules as the
 * QEMU driver. Guests "boot" at once and print one line on their console; an ACPI shutdown powers them off after
 * `shutdownDelayMs`. Used by the conformance suite, the host's tests and the scale benchmarks (10,000 systems).
 */
export class TestDriver implements HypervisorDriver {
  private readonly table: DomainTable<TestRuntime>;
  private readonly shutdownDelayMs: number;
  private readonly checkFiles: boolean;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    readonly uri = 'test:///default',
    options: TestDriverOptions = {},
  ) {
    this.table = new DomainTable(options.limits ?? DEFAULT_LIMITS);
    this.shutdownDelayMs = options.shutdownDelayMs ?? 5;
    this.checkFiles = options.checkFiles ?? true;
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

  list(): DomainInfo[] {
    return this.table.list();
  }

  lookup(uuidOrName: string): DomainInfo | undefined {
    const e = this.table.find(uuidOrName);
    return e === undefined ? undefined : this.table.info(e);
  }

  async define(input: VirtualSystemDefinition): Promise<DomainInfo> {
    const def = this.table.prepare(input);
    const existing = this.table.find(def.system.VirtualSystemIdentifier!);
    if (existing !== undefined) checkTransition(existing.def.system.ElementName!, existing.state, 'modify');
    if (this.checkFiles) checkImagesExist(def);
    return this.table.info(this.table.put(def));
  }

  getDefinition(uuid: string): VirtualSystemDefinition {
    return structuredClone(this.table.get(uuid).def);
  }

  getState(uuid: string): DomainInfo {
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
    e.def = this.table.prepare(next);
  }

  async detachDevice(uuid: string, instanceId: string): Promise<void> {
    const e = this.running(uuid, 'detach a device from');
    const i = e.def.resources.findIndex((r) => r.properties.InstanceID === instanceId);
    if (i < 0)
      throw new HypervisorError('VM_NOT_FOUND', `No device "${instanceId}" in "${e.def.system.ElementName}"`);
    e.def.resources.splice(i, 1);
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
            `Cannot attach to "${e.def.system.ElementName}": it is stopped`,
          );
        }
        return new PassThrough(); // a loopback serial line: what is written comes back
      },
    };
  }

  async stats(uuid: string): Promise<DomainStats> {
    const e = this.running(uuid, 'read the statistics of');
    const rt = e.runtime!;
    const mem = memoryBytes(e.def) ?? 0n;
    return {
      cpuTimeNs: BigInt(Date.now() - rt.startedAt) * 1_000_000n,
      memoryBytes: mem,
      ...(rt.balloon === undefined ? {} : { balloonBytes: rt.balloon }),
      disks: [],
      nics: [],
    };
  }

  async adopt(uuid: string): Promise<DomainInfo> {
    return this.getState(uuid);
  }

  /** Test hook: makes a running system stop as if its process had died. */
  simulateCrash(uuid: string, reason: string): void {
    this.stopped(uuid, reason, 'process-exit');
  }
}
