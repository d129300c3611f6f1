import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import {
  type ConsoleAccess,
  checkTransition,
  type DiskImage,
  type DomainStats,
  type DriverCapabilities,
  type DriverEvent,
  type DriverInfo,
  driveImages,
  ensureRunDir,
  type HypervisorDriver,
  HypervisorError,
  openDriver,
  requireOperation,
} from '../hypervisor/index.js';
import type { VirtualSystemDefinition } from '../model/index.js';
import { ArtifactStore } from './artifacts.js';
import { type DeployRequest, type DeployResult, deployPackage, VESSEL_PLATFORM_VERSION } from './deploy.js';
import { cleanupDeploys } from './deploy-staging.js';
import { DriverInventory, type InventoryNotice } from './driver-inventory.js';
import { HostError } from './errors.js';
import { type ExportOptions, type ExportResult, exportSystem } from './export.js';
import { cleanupExports } from './export-staging.js';
import { KeyedLock } from './lock.js';
import { databasePath } from './paths.js';
import { StoragePools } from './pools/index.js';
import { scrubStoredSecrets } from './secrets.js';
import { openStateDir } from './state-dir.js';
import { type HostEvent, type HostVmState, type Job, Store, type StoredVm } from './store.js';
import { loadStoredSystems } from './store-inventory.js';
import { clearUploads } from './uploads.js';
import { USERS_FILE, UserStore } from './users.js';

/** The default driver: the embedded QEMU host with the probed accelerator. */
export const DEFAULT_DRIVER_URI = 'qemu:///embed';

/** What `vm list` shows of a system. */
export interface VmSummary {
  name: string;
  uuid: string;
  state: HostVmState;
  reason: string;
}

/** What `host info` shows. */
export interface HostInfo extends DriverInfo {
  stateDir: string;
  pid: number;
  startedAt: string;
}

/** The state changes a client can ask for. */
export type VmOperation = 'start' | 'stop' | 'powerOff' | 'pause' | 'resume' | 'reset';

/** What a job's work gets from the job it runs as: its id, and where its progress goes (percent). */
export interface JobHandle {
  readonly id: string;
  progress(percent: number): void;
}

/** Options of {@link Host.change}. */
export interface ChangeOptions {
  /** `stop`: power off at once instead of asking the guest (ACPI) first. */
  force?: boolean;
  /** `stop`: how long the guest has to power off before it is powered off (default 60 s). */
  timeoutMs?: number;
}

const summary = (v: StoredVm): VmSummary => ({
  name: v.name,
  uuid: v.uuid,
  state: v.state,
  reason: v.reason,
});

/**
 * The host: one process that owns a driver (normally QEMU), keeps its inventory, states, events and jobs in
 * SQLite in one state directory, serialises state changes per system with a lock, and re-adopts running systems
 * after a restart. The unix-socket API (`serveHost`) and the CLI sit on top of it.
 *
 * @example
 * const host = await Host.open({ stateDir: '/var/lib/vessel', driverUri: 'test:///default' });
 * const vm = await host.define(def);
 * await host.change(vm.uuid, 'start');
 */
export class Host {
  private readonly locks = new KeyedLock();
  private readonly listeners = new Set<(e: HostEvent) => void>();
  private readonly unsubscribe: () => void;
  /** The rows that follow a driver owning its inventory; undefined when the store is the master. */
  private readonly inventory: DriverInventory | undefined;
  readonly startedAt = new Date().toISOString();
  /** The users of the management ports (STATE/users.json: names, roles, scrypt hashes). */
  readonly users: UserStore;
  /** Files jobs made for their callers to download (STATE/artifacts, emptied at each start). */
  readonly artifacts: ArtifactStore;

  private constructor(
    readonly stateDir: string,
    readonly driver: HypervisorDriver,
    readonly store: Store,
    /** The storage pools that admins' images must lie in. */
    readonly pools: StoragePools,
  ) {
    this.unsubscribe = driver.subscribe((e) => this.onDriverEvent(e));
    this.inventory = driver.ownsInventory
      ? new DriverInventory(driver, store, (n) => this.onInventoryNotice(n))
      : undefined;
    this.users = new UserStore(join(stateDir, USERS_FILE));
    this.artifacts = ArtifactStore.open(stateDir);
  }

  /**
   * Opens the store and the driver, loads every definition into the driver and adopts running systems. The state
   * and run directories are made (or checked to be) private first, and the process umask is set to 077 so that
   * every file the host and its tools create is private (see `openStateDir`).
   */
  static async open(options: { stateDir: string; driverUri?: string }): Promise<Host> {
    openStateDir(options.stateDir);
    const runDir = ensureRunDir(options.stateDir);
    const store = new Store(databasePath(options.stateDir));
    scrubStoredSecrets(store);
    let pools: StoragePools;
    try {
      pools = StoragePools.open(options.stateDir, runDir, (uuid) => store.getVm(uuid)?.uuid === uuid);
    } catch (e) {
      store.close();
      throw e;
    }
    let driver: HypervisorDriver;
    try {
      driver = await openDriver(options.driverUri ?? DEFAULT_DRIVER_URI, {
        stateDir: options.stateDir,
        runDir,
      });
    } catch (e) {
      store.close();
      throw e;
    }
    const host = new Host(options.stateDir, driver, store, pools);
    cleanupDeploys(options.stateDir, (uuid) => store.getVm(uuid) !== undefined);
    cleanupExports(options.stateDir);
    clearUploads(options.stateDir);
    await host.reconcile();
    return host;
  }

  /**
   * Brings driver and store together after a start. A driver that owns its inventory is read, never written: the
   * store's rows follow what it has. Otherwise the store is the master: every stored definition is loaded into the
   * driver and systems that kept running are adopted.
   */
  private async reconcile(): Promise<void> {
    this.store.failOrphanJobs();
    if (this.inventory !== undefined) {
      await this.inventory.sync();
      return;
    }
    await loadStoredSystems(this.driver, this.store, (uuid, name, state, reason) =>
      this.record(uuid, name, state, reason, 'adoption'),
    );
  }

  private onDriverEvent(e: DriverEvent): void {
    const vm = this.store.getVm(e.uuid);
    if (vm === undefined) return;
    if (e.kind === 'state' && e.state !== undefined) {
      this.record(e.uuid, vm.name, e.state, e.reason, e.cause);
    } else {
      this.emit(
        this.store.addEvent({
          ...this.eventBase(e.uuid, vm.name),
          kind: e.kind,
          state: undefined,
          reason: e.reason,
          cause: e.cause,
        }),
      );
    }
  }

  /** Records what following a driver's inventory found (a system that appeared, vanished, changed state). */
  private onInventoryNotice(n: InventoryNotice): void {
    if (n.kind === 'state') {
      this.record(n.uuid, n.name, n.state, n.reason, 'host');
      return;
    }
    this.emit(
      this.store.addEvent({
        ...this.eventBase(n.uuid, n.name),
        kind: n.kind,
        state: n.kind === 'undefined' ? undefined : this.store.getVm(n.uuid)?.state,
        reason: n.reason,
        cause: 'host',
      }),
    );
  }

  private eventBase(uuid: string, name: string) {
    return { time: new Date().toISOString(), uuid, name };
  }

  /** Sets a system's state in the store and records and publishes the change. */
  private record(uuid: string, name: string, state: HostVmState, reason: string, cause: string): void {
    this.store.setState(uuid, state, reason);
    this.emit(this.store.addEvent({ ...this.eventBase(uuid, name), kind: 'state', state, reason, cause }));
  }

  private emit(e: HostEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // a failing subscriber does not stop the others
      }
    }
  }

  /** Subscribes to every recorded event; returns the function that ends the subscription. */
  subscribe(listener: (e: HostEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async info(): Promise<HostInfo> {
    return {
      ...(await this.driver.info()),
      stateDir: this.stateDir,
      pid: process.pid,
      startedAt: this.startedAt,
    };
  }

  /** What the driver can do (`DriverCapabilities`); the host-level features join in src/api. */
  capabilities(): Promise<DriverCapabilities> {
    return this.driver.capabilities();
  }

  /**
   * Every system: the store's rows, which, for a driver that owns its inventory, are first brought in line with
   * what the driver has (systems defined behind the host's back appear, vanished ones go).
   */
  async list(): Promise<VmSummary[]> {
    if (this.inventory !== undefined) await this.inventory.sync();
    return this.store
      .listSummaries()
      .map((v) => ({ name: v.name, uuid: v.uuid, state: v.state, reason: v.reason }));
  }

  /**
   * The stored row of a system with this name or UUID, or `VM_NOT_FOUND`, read from the store only. For a driver
   * that owns its inventory the row is as fresh as the last {@link list} or {@link lookup}; use {@link lookup}
   * to ask the driver.
   */
  get(vm: string): StoredVm {
    const found = this.store.getVm(vm);
    if (found === undefined) throw new HostError('VM_NOT_FOUND', `No virtual system "${vm}"`);
    return found;
  }

  /**
   * The system with this name or UUID, or `VM_NOT_FOUND`: for a driver that owns its inventory, as the driver has
   * it now (definition included); otherwise the store's row.
   */
  async lookup(vm: string): Promise<StoredVm> {
    if (this.inventory === undefined) return this.get(vm);
    const found = await this.inventory.lookup(vm);
    if (found === undefined) throw new HostError('VM_NOT_FOUND', `No virtual system "${vm}"`);
    return found;
  }

  /**
   * Defines a system (or redefines a stopped one with the same UUID) and stores it. Every image it names must lie
   * in a storage pool (`IMAGE_OUTSIDE_POOLS`, `IMAGE_DEVICE`, `IMAGE_REFERENCES` otherwise).
   */
  async define(def: VirtualSystemDefinition): Promise<VmSummary> {
    await this.pools.check(def, 'define');
    const info = await this.driver.define(def);
    const stored = await this.driver.getDefinition(info.uuid);
    const existed = this.store.getVm(info.uuid) !== undefined;
    this.store.putVm(info.uuid, stored);
    this.emit(
      this.store.addEvent({
        ...this.eventBase(info.uuid, info.name),
        kind: existed ? 'modified' : 'defined',
        state: 'stopped',
        reason: existed ? 'definition changed' : 'defined',
        cause: 'api',
      }),
    );
    return summary(this.get(info.uuid));
  }

  /** Removes a stopped system from the driver and the store. */
  async undefine(vm: string): Promise<void> {
    const { uuid, name } = this.get(vm);
    await this.locks.run(uuid, async () => {
      await requireOperation(this.driver, 'undefine')(uuid);
      this.store.deleteVm(uuid);
      this.emit(
        this.store.addEvent({
          ...this.eventBase(uuid, name),
          kind: 'undefined',
          state: undefined,
          reason: 'undefined',
          cause: 'api',
        }),
      );
    });
  }

  /**
   * Runs a state change as a job under the system's lock: each concurrent request gets a correct answer (done,
   * or `INVALID_STATE` saying why) and the stored state never disagrees with the driver.
   */
  change(vm: string, op: VmOperation, options: ChangeOptions = {}): { job: Job; done: Promise<VmSummary> } {
    const target = this.get(vm);
    return this.runJob(`vm.${op}`, target.uuid, () =>
      this.locks.run(target.uuid, async () => {
        await this.apply(target.uuid, target.name, op, options);
        return summary(this.get(target.uuid));
      }),
    );
  }

  private async apply(uuid: string, name: string, op: VmOperation, options: ChangeOptions): Promise<void> {
    const current = (await this.driver.getState(uuid)).state;
    if (op === 'start') {
      checkTransition(name, current, 'start');
      await this.pools.check(this.get(uuid).definition, 'start'); // a symlink may have been swapped since define
      const start = requireOperation(this.driver, 'start');
      this.record(uuid, name, 'starting', 'start requested', 'api');
      try {
        await start(uuid);
      } catch (e) {
        this.record(uuid, name, 'stopped', `start failed: ${(e as Error).message}`, 'api');
        throw e;
      }
    } else if (op === 'stop') {
      if (current === 'stopped')
        throw new HypervisorError('INVALID_STATE', `Cannot stop "${name}": it is already stopped`);
      if (options.force || current === 'paused') {
        await requireOperation(this.driver, 'powerOff')(uuid);
        return;
      }
      this.record(uuid, name, 'stopping', 'shutdown requested (ACPI)', 'api');
      await requireOperation(this.driver, 'shutdown')(uuid);
      const off = await this.waitStopped(uuid, options.timeoutMs ?? 60_000);
      if (!off) await requireOperation(this.driver, 'powerOff')(uuid);
    } else {
      await requireOperation(this.driver, op)(uuid);
    }
  }

  /** Waits for the driver to report the system stopped; false after `timeoutMs`. */
  private waitStopped(uuid: string, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (off: boolean) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        stop();
        resolve(off);
      };
      const timer = setTimeout(() => settle(false), timeoutMs);
      // Subscribed before the state is read, so a stop in between is not missed.
      const stop = this.driver.subscribe((e) => {
        if (e.uuid === uuid && e.kind === 'state' && e.state === 'stopped') settle(true);
      });
      this.driver.getState(uuid).then(
        (s) => {
          if (s.state === 'stopped') settle(true);
        },
        (e: unknown) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          stop();
          reject(e);
        },
      );
    });
  }

  /** Runs `fn` as a job recorded in the store: running, then completed with its result or failed with its error. */
  runJob<T>(
    kind: string,
    target: string | undefined,
    fn: (job: Job) => Promise<T>,
  ): { job: Job; done: Promise<T> } {
    const id = randomUUID();
    this.store.createJob(id, kind, target);
    const job = this.store.getJob(id)!;
    const done = fn(job).then(
      (result) => {
        this.store.finishJob(id, { result });
        return result;
      },
      (e: unknown) => {
        const code = (e as { code?: unknown }).code;
        this.store.finishJob(id, {
          error: { code: typeof code === 'string' ? code : 'INTERNAL', message: (e as Error).message },
        });
        throw e;
      },
    );
    done.catch(() => undefined); // the caller may not wait; the outcome is in the store
    return { job, done };
  }

  /**
   * Exports a stopped system as an OVF/OVA package (see `exportSystem`), as a job under the system's lock so that
   * it cannot start while its disks are read; the job's progress follows the disk encoding.
   */
  exportVm(vm: string, options: ExportOptions): { job: Job; done: Promise<ExportResult> } {
    const target = this.get(vm);
    return this.runJob('vm.export', target.uuid, (job) =>
      this.exportInJob(target.uuid, options, {
        id: job.id,
        progress: (p) => this.store.setJobProgress(job.id, p),
      }),
    );
  }

  /**
   * The work of an export job (see {@link exportVm}), for a job runner other than `exportVm`'s: under the system's
   * lock, a stopped system only, its images checked against the pools again.
   */
  exportInJob(vm: string, options: ExportOptions, job: JobHandle): Promise<ExportResult> {
    const target = this.get(vm);
    return this.locks.run(target.uuid, async () => {
      const state = (await this.driver.getState(target.uuid)).state;
      if (state !== 'stopped') {
        throw new HypervisorError('INVALID_STATE', `Cannot export "${target.name}": it is ${state}`, {
          hint: `Stop it first: vessel vm stop ${target.name}`,
        });
      }
      const current = this.get(target.uuid);
      await this.pools.check(current.definition, 'export');
      return exportSystem(
        {
          stateDir: this.stateDir,
          uuid: current.uuid,
          definition: current.definition,
          metadata: this.store.getMetadata(current.uuid),
          job: job.id,
          diskImages: () => this.diskImagesOf(current.uuid, current.definition),
        },
        { ...options, onProgress: (p) => job.progress(p) },
      );
    });
  }

  /** The drives' current images as the driver reports them; a driver without the hook: the definition's images. */
  private diskImagesOf(uuid: string, def: VirtualSystemDefinition): Promise<DiskImage[]> {
    if (this.driver.diskImages !== undefined) return this.driver.diskImages(uuid);
    return driveImages(def, (_id, base) => ({ path: base, chain: false }));
  }

  getJob(id: string): Job {
    const j = this.store.getJob(id);
    if (j === undefined) throw new HostError('JOB_NOT_FOUND', `No job "${id}"`);
    return j;
  }

  /** Every metadata entry of a system (e.g. `ovf.descriptor`, `ovf.configuration`, `ovf.properties` after a deploy). */
  getMetadata(vm: string): Record<string, string> {
    return this.store.getMetadata(this.get(vm).uuid);
  }

  /** Sets one metadata entry of a system: free-form text kept beside its definition, removed with it. */
  setMetadata(vm: string, key: string, value: string): void {
    if (key === '') throw new HostError('USAGE', 'A metadata key must not be empty');
    this.store.setMetadata(this.get(vm).uuid, key, value);
  }

  /**
   * Deploys an OVF package (OVA, or OVF with its files) as a job with progress: see `deployPackage`. The systems
   * are registered together, with the package's descriptor, configuration and property values as metadata.
   */
  deploy(req: DeployRequest): { job: Job; done: Promise<DeployResult> } {
    return this.runJob('vm.deploy', req.package, (job) =>
      this.deployInJob(req, { id: job.id, progress: (p) => this.store.setJobProgress(job.id, p) }),
    );
  }

  /** The work of a deploy job (see {@link deploy}), for a job runner other than `deploy`'s. */
  deployInJob(req: DeployRequest, job: JobHandle): Promise<DeployResult> {
    const target = {
      stateDir: this.stateDir,
      driver: this.driver,
      platformVersion: VESSEL_PLATFORM_VERSION,
      nameTaken: (name: string) => this.store.getVm(name) !== undefined,
      register: (entries: { def: VirtualSystemDefinition; metadata: Record<string, string> }[]) =>
        this.registerDeployed(entries),
      start: async (uuid: string) => {
        await this.change(uuid, 'start').done;
      },
      state: (uuid: string) => this.get(uuid).state,
    };
    return deployPackage(target, req, job.id, (p) => job.progress(p));
  }

  /** Defines deployed systems in the driver, then stores them and their metadata in one transaction. */
  private async registerDeployed(
    entries: { def: VirtualSystemDefinition; metadata: Record<string, string> }[],
  ): Promise<void> {
    const defined: string[] = [];
    try {
      for (const e of entries) defined.push((await this.driver.define(e.def)).uuid);
      const defs = await Promise.all(defined.map((uuid) => this.driver.getDefinition(uuid)));
      this.store.putVmsWithMetadata(
        entries.map((e, i) => ({ uuid: defined[i]!, def: defs[i]!, metadata: e.metadata })),
      );
    } catch (e) {
      for (const uuid of defined) await this.driver.undefine?.(uuid).catch(() => undefined);
      throw e;
    }
    for (const uuid of defined) {
      const vm = this.get(uuid);
      this.emit(
        this.store.addEvent({
          ...this.eventBase(uuid, vm.name),
          kind: 'defined',
          state: 'stopped',
          reason: 'deployed from an OVF package',
          cause: 'api',
        }),
      );
    }
  }

  async console(vm: string): Promise<ConsoleAccess> {
    return requireOperation(this.driver, 'console')(this.get(vm).uuid);
  }

  async stats(vm: string): Promise<DomainStats> {
    return requireOperation(this.driver, 'stats')(this.get(vm).uuid);
  }

  /** Closes the host: systems keep running (to be adopted later) unless `stopVms`. */
  async close(options: { stopVms?: boolean } = {}): Promise<void> {
    if (options.stopVms) {
      await Promise.all(
        (await this.list())
          .filter((v) => v.state !== 'stopped')
          .map((v) => this.change(v.uuid, 'stop', { timeoutMs: 10_000 }).done.catch(() => undefined)),
      );
    }
    this.unsubscribe();
    await this.driver.close();
    this.store.close();
  }
}
