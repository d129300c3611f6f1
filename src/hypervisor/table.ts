import { randomUUID } from 'node:crypto';
import {
  assertValidDefinition,
  type HostLimits,
  isUuid,
  MODEL_SLOTS,
  ModelError,
  type SlotPolicy,
  type VirtualSystemDefinition,
} from '../model/index.js';
import { HypervisorError } from './errors.js';
import type { DomainInfo, DriverEvent, VmState } from './types.js';

/** One defined system inside a driver. */
export interface DomainEntry<R = unknown> {
  uuid: string;
  def: VirtualSystemDefinition;
  state: VmState;
  reason: string;
  /** Driver-specific runtime data (the QEMU process, the test driver's counters). */
  runtime: R | undefined;
}

/**
 * The domains of one driver, by UUID and by name, plus event fan-out: the machinery every driver shares, so the
 * test driver and the QEMU driver agree on names, UUIDs, lookups and definition checks.
 */
export class DomainTable<R = unknown> {
  private readonly byUuid = new Map<string, DomainEntry<R>>();
  private readonly byName = new Map<string, string>();
  private readonly listeners = new Set<(e: DriverEvent) => void>();

  /** `slots`: the driver's slot policy (`QEMU_SLOTS` for QEMU), the model's own by default. */
  constructor(
    private readonly limits: HostLimits,
    private readonly slots: SlotPolicy = MODEL_SLOTS,
  ) {}

  get size(): number {
    return this.byUuid.size;
  }

  /**
   * Validates a definition (the model's rules within the host's limits and the driver's slot policy) and gives it a
   * UUID; refuses a name that another system already has.
   */
  prepare(input: VirtualSystemDefinition): VirtualSystemDefinition {
    try {
      assertValidDefinition(input, this.limits, this.slots);
    } catch (e) {
      if (e instanceof ModelError) {
        throw new HypervisorError('DEFINITION_INVALID', e.message, { cause: e, hint: e.hint });
      }
      throw e;
    }
    const def = structuredClone(input);
    const name = def.system.ElementName!;
    const given = def.system.VirtualSystemIdentifier;
    const uuid = isUuid(given) ? given.toLowerCase() : randomUUID();
    def.system.VirtualSystemIdentifier = uuid;
    const owner = this.byName.get(name);
    if (owner !== undefined && owner !== uuid) {
      throw new HypervisorError(
        'VM_EXISTS',
        `Cannot define "${name}": a virtual system with that name exists`,
      );
    }
    if (owner === undefined && this.byUuid.has(uuid)) {
      throw new HypervisorError(
        'VM_EXISTS',
        `Cannot define "${name}": UUID ${uuid} belongs to another system`,
      );
    }
    return def;
  }

  /** Adds or replaces an entry for a prepared definition. */
  put(def: VirtualSystemDefinition, state: VmState = 'stopped', reason = 'defined'): DomainEntry<R> {
    const uuid = def.system.VirtualSystemIdentifier!;
    const old = this.byUuid.get(uuid);
    if (old !== undefined) this.byName.delete(old.def.system.ElementName!);
    const entry: DomainEntry<R> = old ?? { uuid, def, state, reason, runtime: undefined };
    entry.def = def;
    this.byUuid.set(uuid, entry);
    this.byName.set(def.system.ElementName!, uuid);
    return entry;
  }

  remove(uuid: string): void {
    const e = this.byUuid.get(uuid);
    if (e === undefined) return;
    this.byUuid.delete(uuid);
    this.byName.delete(e.def.system.ElementName!);
  }

  find(uuidOrName: string): DomainEntry<R> | undefined {
    return this.byUuid.get(uuidOrName.toLowerCase()) ?? this.byUuid.get(this.byName.get(uuidOrName) ?? '');
  }

  /** The entry, or `VM_NOT_FOUND`. */
  get(uuidOrName: string): DomainEntry<R> {
    const e = this.find(uuidOrName);
    if (e === undefined) throw new HypervisorError('VM_NOT_FOUND', `No virtual system "${uuidOrName}"`);
    return e;
  }

  entries(): IterableIterator<DomainEntry<R>> {
    return this.byUuid.values();
  }

  info(e: DomainEntry<R>): DomainInfo {
    return { uuid: e.uuid, name: e.def.system.ElementName!, state: e.state, reason: e.reason };
  }

  list(): DomainInfo[] {
    const out: DomainInfo[] = [];
    for (const e of this.byUuid.values()) out.push(this.info(e));
    return out;
  }

  /** Sets the state and tells subscribers; nothing happens when state and reason are unchanged. */
  setState(e: DomainEntry<R>, state: VmState, reason: string, cause: DriverEvent['cause']): void {
    if (e.state === state && e.reason === reason) return;
    e.state = state;
    e.reason = reason;
    this.emit({ uuid: e.uuid, kind: 'state', state, reason, cause, time: new Date() });
  }

  emit(event: DriverEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // A failing listener must not break the driver or the other listeners.
      }
    }
  }

  subscribe(listener: (e: DriverEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
