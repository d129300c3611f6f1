import type { DomainInfo, HypervisorDriver } from '../hypervisor/index.js';
import type { HostVmState, Store, StoredVm } from './store.js';

/** What the host records when its rows follow a driver that owns its inventory. */
export type InventoryNotice =
  | { kind: 'defined' | 'undefined' | 'modified'; uuid: string; name: string; reason: string }
  | { kind: 'state'; uuid: string; name: string; state: HostVmState; reason: string };

/** States the host sets while its own job runs; the driver's stable state does not overwrite them. */
const TRANSITIONAL: ReadonlySet<HostVmState> = new Set(['starting', 'stopping']);

/**
 * The host's rows for a driver that owns its inventory (`ownsInventory`, issue 10 §2.7): the driver is the
 * truth, and the store keeps per-UUID rows beside it for what the host adds (metadata, events, jobs, the state
 * while a job runs). Systems defined behind the host's back (virsh) get a row when they are first seen; rows of
 * systems that left the driver are removed. Syncs run one at a time.
 */
export class DriverInventory {
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly driver: HypervisorDriver,
    private readonly store: Store,
    private readonly notice: (n: InventoryNotice) => void,
  ) {}

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.running.then(fn, fn);
    this.running = next.catch(() => undefined);
    return next;
  }

  /** Reads the driver's list and brings every row in line with it; returns the driver's systems. */
  sync(): Promise<DomainInfo[]> {
    return this.serial(async () => {
      const domains = await this.driver.list();
      const seen = new Set(domains.map((d) => d.uuid));
      for (const row of this.store.listSummaries()) {
        if (seen.has(row.uuid)) continue;
        this.store.deleteVm(row.uuid);
        this.notice({ kind: 'undefined', uuid: row.uuid, name: row.name, reason: 'no longer in the driver' });
      }
      for (const d of domains) await this.follow(d, false);
      return domains;
    });
  }

  /**
   * The row of one system, read from the driver (with its current definition): made when the driver has a system
   * the store lacks, removed when the driver no longer has it (then undefined).
   */
  lookup(ref: string): Promise<StoredVm | undefined> {
    return this.serial(async () => {
      const d = await this.driver.lookup(ref);
      if (d === undefined) {
        const row = this.store.getVm(ref);
        if (row !== undefined) {
          this.store.deleteVm(row.uuid);
          this.notice({
            kind: 'undefined',
            uuid: row.uuid,
            name: row.name,
            reason: 'no longer in the driver',
          });
        }
        return undefined;
      }
      await this.follow(d, true);
      return this.store.getVm(d.uuid);
    });
  }

  /** Brings one row in line with the driver's system: made, renamed or redefined, and its stable state. */
  private async follow(d: DomainInfo, refreshDefinition: boolean): Promise<void> {
    const row = this.store.getVm(d.uuid);
    if (row === undefined || row.name !== d.name || refreshDefinition) {
      let def: Awaited<ReturnType<HypervisorDriver['getDefinition']>>;
      try {
        def = await this.driver.getDefinition(d.uuid);
      } catch (e) {
        if ((e as { code?: string }).code === 'VM_NOT_FOUND') return; // gone while being read
        throw e;
      }
      const changed = row === undefined || JSON.stringify(row.definition) !== JSON.stringify(def);
      if (changed) this.store.putVm(d.uuid, def, d.state, d.reason ?? 'found in the driver');
      if (row === undefined) {
        this.notice({ kind: 'defined', uuid: d.uuid, name: d.name, reason: 'found in the driver' });
        return;
      }
      if (changed)
        this.notice({ kind: 'modified', uuid: d.uuid, name: d.name, reason: 'changed in the driver' });
    }
    const now = this.store.getVm(d.uuid);
    if (now !== undefined && !TRANSITIONAL.has(now.state) && now.state !== d.state) {
      this.notice({
        kind: 'state',
        uuid: d.uuid,
        name: d.name,
        state: d.state,
        reason: d.reason ?? now.reason,
      });
    }
  }
}
