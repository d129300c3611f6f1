import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  ApiError,
  type ConsoleKind,
  checkTransition as checkApiTransition,
  type Operation,
  type StateOperation,
  type SystemSummary,
} from '../api/index.js';
import {
  type ConsoleAccess,
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
  operationsOf,
  requireOperation,
} from '../hypervisor/index.js';
import { assertShapes, isUuid, type VirtualSystemDefinition } from '../model/index.js';
import { toSummary } from './api/vocabulary.js';
import { ArtifactStore } from './artifacts.js';
import {
  type DeployRequest,
  type DeployResult,
  deployPackage,
  VESSEL_PLATFORM_VERSION,
} from './deploy/deploy.js';
import { cleanupDeploys, systemDir } from './deploy/staging.js';
import { definitionImages, withImages } from './driver-images.js';
import { DriverInventory, type InventoryNotice } from './driver-inventory.js';
import { applyEdit, type DefinitionEdit, type EditContext, type EditOptions } from './edit-apply.js';
import { HostError } from './errors.js';
import { type ExportOptions, type ExportResult, exportSystem } from './export/export.js';
import { cleanupExports } from './export/staging.js';
import { HostJobs, type JobControl, type JobSpec } from './jobs.js';
import { type KeptImage, keepDisks, refuseDroppingOverlays } from './keep-disks.js';
import { applyState, hostOperations, type LifecycleContext, type StateOptions } from './lifecycle.js';
import { KeyedLock } from './lock.js';
import { hostMetricsSource, MetricsSampler, type SamplerOptions } from './metrics/index.js';
import { cleanupOwnedImages, makeNewDisks, type NewDiskContext, settleOwnedImages } from './new-disks.js';
import { databasePath } from './paths.js';
import { othersToCheck, refuseSharedWriters, StoragePools } from './pools/index.js';
import { EventRecorder } from './recorder.js';
import { scrubStoredSecrets } from './secrets.js';
import { openStateDir } from './state-dir.js';
import { type HostEvent, type HostVmState, type Job, Store, type StoredVm } from './store.js';
import { loadStoredSystems } from './store-inventory.js';
import type { JobRecord } from './store-jobs.js';
import { TOKENS_FILE, TokenStore } from './tokens.js';
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

/** Who asks: the user a job is recorded for (the socket's and the CLI's calls are the host's own, `local`). */
interface Caller {
  user: string;
}

const LOCAL: Caller = { user: 'local' };

/** The state changes a power-off supersedes while they wait for the guest. */
const SUPERSEDED: ReadonlySet<StateOperation> = new Set(['shutdown', 'reboot']);

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

const summary = (v: StoredVm | SystemSummary): VmSummary => ({
  name: v.name,
  uuid: v.uuid,
  state: v.state as HostVmState,
  reason: typeof v.reason === 'string' ? v.reason : v.reason.text,
});

/**
 * The host: one process that owns a driver (normally QEMU), keeps its inventory, states, events and jobs in
 * SQLite in one state directory, serialises state changes per system with a lock, and re-adopts running systems
 * after a restart. Its Api (src/host/api), served on the unix socket by `serveHostApi`, is what the CLI and the
 * CIM providers use.
 *
 * @example
 * const host = await Host.open({ stateDir: '/var/lib/vessel', driverUri: 'test:///default' });
 * const vm = await host.define(def);
 * await host.change(vm.uuid, 'start');
 */
export class Host {
  private readonly locks = new KeyedLock();
  /** Records and publishes states, events and job progress. */
  private readonly events: EventRecorder;
  /** The jobs of this host: run, waited for, cancelled, deleted. */
  readonly jobs: HostJobs;
  private readonly unsubscribe: () => void;
  /** The rows that follow a driver owning its inventory; undefined when the store is the master. */
  private readonly inventory: DriverInventory | undefined;
  readonly startedAt = new Date().toISOString();
  private caps: Promise<DriverCapabilities> | undefined;
  /** Samples the host and its systems on an interval (what the Api's metrics read). */
  readonly metrics: MetricsSampler;
  /** The users of the management ports (STATE/users.json: names, roles, scrypt hashes). */
  readonly users: UserStore;
  /** The bearer tokens of the REST API (STATE/tokens.json: owners, roles, SHA-256 of each secret). */
  readonly tokens: TokenStore;
  /** Files jobs made for their callers to download (STATE/artifacts, emptied at each start). */
  readonly artifacts: ArtifactStore;

  private constructor(
    readonly stateDir: string,
    readonly driver: HypervisorDriver,
    readonly store: Store,
    /** The storage pools that admins' images must lie in. */
    readonly pools: StoragePools,
    metrics?: SamplerOptions,
  ) {
    this.metrics = new MetricsSampler(hostMetricsSource(store, driver, pools), metrics);
    this.events = new EventRecorder(store);
    this.jobs = new HostJobs(
      store,
      (kind, job) => this.events.job(kind, job),
      (id) => this.artifacts.removeForJob(id),
    );
    this.unsubscribe = driver.subscribe((e) => this.onDriverEvent(e));
    this.inventory = driver.ownsInventory
      ? new DriverInventory(driver, store, (n) => this.onInventoryNotice(n))
      : undefined;
    this.users = new UserStore(join(stateDir, USERS_FILE));
    this.tokens = new TokenStore(join(stateDir, TOKENS_FILE), this.users);
    this.artifacts = ArtifactStore.open(stateDir);
  }

  /**
   * Opens the store and the driver, loads every definition into the driver and adopts running systems. The state
   * and run directories are made (or checked to be) private first, and the process umask is set to 077 so that
   * every file the host and its tools create is private (see `openStateDir`).
   */
  static async open(options: {
    stateDir: string;
    driverUri?: string;
    metrics?: SamplerOptions;
  }): Promise<Host> {
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
    const host = new Host(options.stateDir, driver, store, pools, options.metrics);
    cleanupDeploys(options.stateDir, (uuid) => store.getVm(uuid) !== undefined);
    cleanupExports(options.stateDir);
    clearUploads(options.stateDir);
    await host.reconcile();
    await cleanupOwnedImages(host.newDisks());
    host.metrics.start();
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
      this.events.state(uuid, name, state, reason, 'adoption'),
    );
  }

  private onDriverEvent(e: DriverEvent): void {
    const vm = this.store.getVm(e.uuid);
    if (vm === undefined) return;
    if (e.kind === 'state' && e.state !== undefined) {
      this.events.state(e.uuid, vm.name, e.state, e.reason, e.cause);
    } else {
      const instanceId = e.detail?.instanceId;
      this.events.system(e.uuid, vm.name, e.kind, {
        reason: e.reason,
        cause: e.cause,
        ...(typeof instanceId === 'string' ? { data: { instanceId } } : {}),
      });
    }
  }

  /** Records what following a driver's inventory found (a system that appeared, vanished, changed state). */
  private onInventoryNotice(n: InventoryNotice): void {
    if (n.kind === 'state') {
      this.events.state(n.uuid, n.name, n.state, n.reason, 'host');
      return;
    }
    this.events.system(n.uuid, n.name, n.kind, {
      state: n.kind === 'undefined' ? undefined : this.store.getVm(n.uuid)?.state,
      reason: n.reason,
      cause: 'host',
    });
  }

  /**
   * Subscribes to every recorded event of the systems (with `jobs`, the jobs' events too); returns the function
   * that ends the subscription.
   */
  subscribe(listener: (e: HostEvent) => void, options: { jobs?: boolean } = {}): () => void {
    return this.events.subscribe(listener, options);
  }

  async info(): Promise<HostInfo> {
    return {
      ...(await this.driver.info()),
      stateDir: this.stateDir,
      pid: process.pid,
      startedAt: this.startedAt,
    };
  }

  /**
   * What the driver can do (`DriverCapabilities`); the host-level features join in src/api. Read from the driver
   * once and kept (a driver's capabilities are those of its hypervisor, read when it opens); a failed read is
   * asked again next time, and {@link forgetCapabilities} makes the next call read them afresh.
   */
  capabilities(): Promise<DriverCapabilities> {
    if (this.caps === undefined) {
      const read = this.driver.capabilities();
      this.caps = read;
      read.catch(() => {
        if (this.caps === read) this.caps = undefined;
      });
    }
    return this.caps;
  }

  /** Forgets the capabilities read from the driver (after its hypervisor changed, e.g. a reconnect). */
  forgetCapabilities(): void {
    this.caps = undefined;
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
    return summary(await this.store_(def));
  }

  /** Defines (or redefines) in the driver, stores the driver's definition, records `defined` or `modified`. */
  private async store_(given: VirtualSystemDefinition, caller: Caller = LOCAL): Promise<StoredVm> {
    const asked = assertShapes(given);
    const existing = asked.system.VirtualSystemIdentifier;
    const known = existing !== undefined && this.store.getVm(existing) !== undefined;
    const made = await makeNewDisks(this.newDisks(), asked, known ? 'change' : 'define');
    const def = made.def;
    let info: { uuid: string; name: string };
    let existed: boolean;
    try {
      await this.pools.check(def, 'define');
      refuseSharedWriters(def, othersToCheck(this.store, def));
      const uuid = def.system.VirtualSystemIdentifier;
      const before = uuid === undefined ? undefined : this.store.getVm(uuid)?.definition;
      await refuseDroppingOverlays(this.driver, before, def);
      info = await this.driver.define(def);
      const stored = await this.driver.getDefinition(info.uuid);
      existed = this.store.getVm(info.uuid) !== undefined;
      this.store.putVm(info.uuid, stored);
    } catch (e) {
      await made.discard();
      throw e;
    }
    await settleOwnedImages(this.newDisks(), info.uuid, this.get(info.uuid).definition);
    this.events.system(info.uuid, info.name, existed ? 'modified' : 'defined', {
      state: 'stopped',
      reason: existed ? 'definition changed' : 'defined',
      cause: 'api',
      data: { user: caller.user },
    });
    return this.get(info.uuid);
  }

  /**
   * Defines a system as a job (the Api's `systems.define`): the job's target is the system's UUID, chosen here
   * when the definition has none; it completes with the system's summary.
   */
  defineJob(
    def: VirtualSystemDefinition,
    caller: Caller = LOCAL,
  ): { job: JobRecord; done: Promise<SystemSummary> } {
    const given = def.system.VirtualSystemIdentifier;
    const uuid = isUuid(given) ? given.toLowerCase() : randomUUID();
    const named = { ...def, system: { ...def.system, VirtualSystemIdentifier: uuid } };
    // The job names the system only by a name in its shape; store_ refuses other shapes, as the job's failure.
    const name = typeof def.system.ElementName === 'string' ? def.system.ElementName : undefined;
    return this.jobs.run(
      this.spec('vm.define', 'define', caller, { uuid, ...(name === undefined ? {} : { name }) }),
      async () => toSummary(await this.store_(named, caller)),
    );
  }

  /** Removes a stopped system from the driver and the store. */
  async undefine(vm: string): Promise<void> {
    const { uuid, name } = this.get(vm);
    await this.locks.run(uuid, () => this.remove(uuid, name, LOCAL));
  }

  /** Removes a stopped system; the images the host made for it go too, but those in `keep` (real paths). */
  private async remove(
    uuid: string,
    name: string,
    caller: Caller,
    keep: ReadonlySet<string> = new Set(),
  ): Promise<void> {
    checkApiTransition(name, (await this.driver.getState(uuid)).state, 'undefine');
    await requireOperation(this.driver, 'undefine')(uuid);
    this.store.deleteVm(uuid);
    await settleOwnedImages(this.newDisks(), uuid, undefined, keep);
    this.events.system(uuid, name, 'undefined', {
      reason: 'undefined',
      cause: 'api',
      data: { user: caller.user },
    });
  }

  /**
   * Undefines a system as a job (the Api's `systems.undefine`); `powerOff` powers an active system off first
   * (CIM DestroySystem).
   */
  undefineJob(
    vm: string,
    options: { powerOff?: boolean | undefined; keepDisks?: boolean | undefined },
    caller: Caller = LOCAL,
  ) {
    const { uuid, name } = this.get(vm);
    return this.jobs.run(this.spec('vm.undefine', 'undefine', caller, { uuid, name }), async () => {
      if (options.powerOff === true && (await this.driver.getState(uuid)).state !== 'stopped') {
        await this.changeState(uuid, 'powerOff', {}, caller).done;
      }
      return this.locks.run(uuid, async () => {
        let keptImages: KeptImage[] = [];
        if (options.keepDisks === true) {
          checkApiTransition(name, (await this.driver.getState(uuid)).state, 'undefine');
          const def = this.get(uuid).definition;
          await this.pools.check(def, 'undefine'); // what is read and kept is still what was checked
          keptImages = await keepDisks(
            this.driver,
            this.pools,
            uuid,
            name,
            def,
            systemDir(this.stateDir, uuid),
          );
        }
        const inPlace = keptImages
          .filter((k) => k.how === 'in-place')
          .map((k) => resolve(this.pools.get(k.pool).path, k.image));
        await this.remove(uuid, name, caller, new Set(inPlace));
        return { keptImages };
      });
    });
  }

  /**
   * Changes a definition as a job under the system's lock (the Api's `modifySettings` and `*Resources`): refused
   * with CONFLICT when `ifMatch` is not the current etag; a stopped system is redefined (the driver's checks refuse
   * a bad result before anything is stored); resources are hot-plugged into a running one when `live` is `auto`
   * and the driver can; anything else on an active system is INVALID_STATE.
   */
  editJob(vm: string, change: DefinitionEdit, options: EditOptions, caller: Caller = LOCAL) {
    const { uuid, name } = this.get(vm);
    const operation: Operation =
      change.kind === 'add' ? 'attachDevice' : change.kind === 'remove' ? 'detachDevice' : 'modify';
    const ctx: EditContext = {
      driver: this.driver,
      store: this.store,
      events: this.events,
      get: (id) => this.get(id),
      redefine: (def) => this.store_(def, caller),
      consoles: () => this.consoles(),
      prepareImages: async (def) => {
        const made = await makeNewDisks(this.newDisks(), def, 'change');
        try {
          await this.pools.check(made.def, 'define');
          refuseSharedWriters(made.def, othersToCheck(this.store, made.def));
        } catch (e) {
          await made.discard();
          throw e;
        }
        return made;
      },
      settleImages: async (id) => {
        const now = this.store.getVm(id)?.definition;
        if (now !== undefined) await settleOwnedImages(this.newDisks(), id, now);
      },
    };
    return this.jobs.run(this.spec(`vm.${operation}`, operation, caller, { uuid, name }), (c) =>
      this.locks.run(uuid, () => {
        c.signal.throwIfAborted();
        return applyEdit(ctx, uuid, change, options);
      }),
    );
  }

  /** What the new-disk work uses of this host. */
  private newDisks(): NewDiskContext {
    return { pools: this.pools, owned: this.store.ownedImages, vms: () => this.store.listVms() };
  }

  private spec(
    kind: string,
    operation: Operation,
    caller: Caller,
    target: { uuid: string; name?: string },
  ): JobSpec {
    return {
      kind,
      operation,
      target: {
        kind: 'system',
        id: target.uuid,
        ...(target.name === undefined ? {} : { name: target.name }),
      },
      owner: caller.user,
    };
  }

  /**
   * Runs a state change as a job under the system's lock (the socket's `vm.change`): each concurrent request
   * gets a correct answer (done, or `INVALID_STATE` saying why) and the stored state never disagrees with the
   * driver. `stop` asks the guest (ACPI) and powers off after `timeoutMs`; with `force`, or when paused, it
   * powers off at once.
   */
  change(vm: string, op: VmOperation, options: ChangeOptions = {}): { job: Job; done: Promise<VmSummary> } {
    const apiOp: StateOperation = op === 'stop' ? (options.force ? 'powerOff' : 'shutdown') : op;
    const { job, done } = this.changeState(
      vm,
      apiOp,
      { timeoutMs: options.timeoutMs, legacyStop: op === 'stop' },
      LOCAL,
      `vm.${op}`,
    );
    return { job: this.getJob(job.id), done: done.then(summary) };
  }

  /**
   * Runs a state change as a job (the Api's `systems.changeState`): checked against the Api's ALLOWED_FROM under
   * the system's lock, recorded as the requested change, completed with the system's summary. With `supersede`, a
   * `powerOff` ends a shutdown or reboot that waits for the guest, and those queued behind it (their jobs end
   * cancelled), instead of waiting behind them.
   * An operation the driver lacks is NOT_SUPPORTED at once.
   */
  changeState(
    vm: string,
    op: StateOperation,
    options: StateOptions = {},
    caller: Caller = LOCAL,
    kind = `vm.${op}`,
  ): { job: JobRecord; done: Promise<SystemSummary> } {
    const { uuid, name } = this.get(vm);
    if (!hostOperations(operationsOf(this.driver)).includes(op)) {
      throw new ApiError('NOT_SUPPORTED', `The driver ${this.driver.uri} does not support "${op}"`);
    }
    if (options.supersede && op === 'powerOff') {
      // The shutdown that waits for the guest, and every shutdown or reboot queued behind it: the power-off ends
      // them all rather than wait behind each guest timeout (their jobs end cancelled, never completed by it).
      for (const j of this.jobs.running(uuid))
        if (SUPERSEDED.has(j.operation as StateOperation))
          this.jobs.cancel(j.id, `Superseded: "${name}" was powered off`);
    }
    return this.jobs.run(this.spec(kind, op, caller, { uuid, name }), (c) =>
      this.locks.run(uuid, async () => {
        c.signal.throwIfAborted();
        this.events.asked.set(uuid, { op, job: c.id, user: caller.user });
        try {
          await applyState(this.lifecycle(), { uuid, name }, op, options, c, () =>
            this.store.setRequested(uuid, op),
          );
        } finally {
          this.events.asked.delete(uuid);
        }
        return toSummary(this.get(uuid));
      }),
    );
  }

  private lifecycle(): LifecycleContext {
    return {
      driver: this.driver,
      pools: this.pools,
      asked: this.events.asked,
      get: (uuid) => this.get(uuid),
      vms: () => this.store.listVms(),
      recordCoded: (uuid, name, state, reason) =>
        this.events.state(uuid, name, state, reason.text, 'api', reason.code),
    };
  }

  /** Runs `fn` as a job of the host itself (owner `local`), recorded in the store; see {@link HostJobs.run}. */
  runJob<T>(
    kind: string,
    target: string | undefined,
    fn: (job: Job, control: JobControl) => Promise<T>,
    operation: Operation = 'modify',
    targetKind: 'system' | 'package' = 'system',
  ): { job: Job; done: Promise<T> } {
    const { job, done } = this.jobs.run(
      {
        kind,
        operation,
        ...(target === undefined ? {} : { target: { kind: targetKind, id: target } }),
        owner: LOCAL.user,
      },
      (c) => fn(this.getJob(c.id), c),
    );
    return { job: this.getJob(job.id), done };
  }

  /**
   * Exports a stopped system as an OVF/OVA package (see `exportSystem`), as a job under the system's lock so that
   * it cannot start while its disks are read; the job's progress follows the disk encoding.
   */
  exportVm(vm: string, options: ExportOptions): { job: Job; done: Promise<ExportResult> } {
    const target = this.get(vm);
    return this.runJob(
      'vm.export',
      target.uuid,
      (job, control) =>
        this.exportInJob(target.uuid, options, { id: job.id, progress: (p) => control.progress(p) }),
      'export',
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
      // A driver with its own storage (libvirt): its images are copied into the system's folder first.
      const copies = join(systemDir(this.stateDir, current.uuid), `export-${job.id}`);
      let definition = current.definition;
      let local = false;
      if (this.driver.exportImages !== undefined) {
        await mkdir(copies, { recursive: true, mode: 0o700 });
        const moved = await this.driver.exportImages(current.uuid, copies);
        definition = withImages(definition, moved);
        local = moved.size > 0;
      }
      try {
        await this.pools.check(definition, 'export');
        return await exportSystem(
          {
            stateDir: this.stateDir,
            uuid: current.uuid,
            definition,
            metadata: this.store.getMetadata(current.uuid),
            job: job.id,
            diskImages: () =>
              local
                ? driveImages(definition, (_id, base) => ({ path: base, chain: false }))
                : this.diskImagesOf(current.uuid, current.definition),
          },
          { ...options, onProgress: (p) => job.progress(p) },
        );
      } finally {
        await rm(copies, { recursive: true, force: true });
      }
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

  /**
   * Sets one metadata entry of a system: free-form text kept beside its definition, removed with it; `undefined`
   * removes the entry.
   */
  setMetadata(vm: string, key: string, value: string | undefined): void {
    if (key === '') throw new HostError('USAGE', 'A metadata key must not be empty');
    const { uuid } = this.get(vm);
    if (value === undefined) this.store.deleteMetadata(uuid, key);
    else this.store.setMetadata(uuid, key, value);
  }

  /**
   * Deploys an OVF package (OVA, or OVF with its files) as a job with progress: see `deployPackage`. The systems
   * are registered together, with the package's descriptor, configuration and property values as metadata.
   */
  deploy(req: DeployRequest): { job: Job; done: Promise<DeployResult> } {
    return this.runJob(
      'vm.deploy',
      req.package,
      (job, control) => this.deployInJob(req, { id: job.id, progress: (p) => control.progress(p) }),
      'deploy',
      'package',
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
    const imported: string[] = [];
    const copies: string[] = []; // what the driver's storage holds now
    try {
      for (const e of entries) {
        let def = e.def;
        // A driver with its own storage (libvirt) takes the files the deploy wrote into it.
        const uuid = def.system.VirtualSystemIdentifier;
        if (this.driver.importImages !== undefined && uuid !== undefined) {
          const mine = definitionImages(def).filter((p) =>
            p.startsWith(`${systemDir(this.stateDir, uuid)}/`),
          );
          const moved = await this.driver.importImages(uuid, mine);
          imported.push(...moved.keys());
          copies.push(...moved.values());
          def = withImages(def, moved);
        }
        defined.push((await this.driver.define(def)).uuid);
      }
      const defs = await Promise.all(defined.map((uuid) => this.driver.getDefinition(uuid)));
      this.store.putVmsWithMetadata(
        entries.map((e, i) => ({ uuid: defined[i]!, def: defs[i]!, metadata: e.metadata })),
      );
    } catch (e) {
      for (const uuid of defined) await this.driver.undefine?.(uuid).catch(() => undefined);
      // The driver's copies go too (the host's own files are still there, under the system's folder).
      await this.driver.discardImages?.(copies).catch(() => undefined);
      throw e;
    }
    for (const p of imported) await rm(p, { force: true }); // the driver holds the copies now
    for (const uuid of defined) {
      const vm = this.get(uuid);
      this.events.system(uuid, vm.name, 'defined', {
        state: 'stopped',
        reason: 'deployed from an OVF package',
        cause: 'api',
      });
    }
  }

  /** The consoles this host gives a system: the serial console when the driver has one. */
  consoles(): ConsoleKind[] {
    return this.driver.console === undefined ? [] : ['serial'];
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
    await this.metrics.stop();
    this.unsubscribe();
    await this.driver.close();
    this.store.close();
  }
}
