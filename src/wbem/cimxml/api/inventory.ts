import { createHash } from 'node:crypto';
import {
  ApiError,
  type ConsoleKind,
  type StateOperation,
  type SystemDetail,
  type SystemSummary,
} from '../../../api/index.js';
import type { CimInstance, CimInstanceName } from '../../../cim/index.js';
import type { VirtualSystemDefinition } from '../../../model/index.js';
import { readSettings, type SettingsRead } from './definitions.js';
import type { CimSession } from './session.js';
import { isoOfCimTimestamp, summaryOf, text, UNKNOWN_TIME } from './values.js';

/** A virtual system as the host lists it: its CIM_ComputerSystem (with its path) and its summary. */
export interface Listed {
  cs: CimInstance & { path: CimInstanceName };
  summary: SystemSummary;
}

/**
 * A definition's etag: a digest of the definition as the host shows it, so it changes whenever the definition
 * does. CIM has no version of its own to offer.
 *
 * @example
 * if (o.ifMatch !== etagOf(now.definition)) throw new ApiError('CONFLICT', '...');
 */
export function etagOf(def: VirtualSystemDefinition): string {
  return createHash('sha256').update(JSON.stringify(def)).digest('hex').slice(0, 32);
}

/**
 * The virtual systems of a CIM-XML host (DSP1057): every CIM_ComputerSystem of the implementation namespace but
 * the host, found by name or UUID, read with their settings. It remembers the last state change this client
 * asked of each (CIM spells `start` and `resume` alike) and when the host's CIM service started (the time of a
 * change the host does not date).
 *
 * @example
 * const web1 = await inv.find('web1');
 * const { definition } = await inv.settings(web1);
 */
export class Inventory {
  private readonly asked = new Map<string, StateOperation>();
  /** Systems this client powered off after their guest's time (forced-shutdown.ts): the stop it caused. */
  private readonly forced = new Map<string, { changedAt: string; text: string }>();
  private since: string | undefined;

  constructor(
    private readonly s: CimSession,
    /** The consoles the host offers its systems: `serial` where it has Vessel's console service (consoles.ts). */
    private readonly consoles: () => Promise<readonly ConsoleKind[]> = async () => [],
  ) {}

  /** Remembers the change asked of a system. */
  recordAsked(uuid: string, op: StateOperation): void {
    this.asked.set(uuid, op);
  }

  /**
   * Remembers that the stop a system's summary shows was this client's power-off after the guest's time: until
   * the system changes state again, its reason is `forced-after-timeout` with `text` (what the host's own
   * shutdown with a time would say).
   */
  recordForced(s: SystemSummary, text: string): SystemSummary {
    this.forced.set(s.uuid, { changedAt: s.changedAt, text });
    return this.withForced(s);
  }

  private withForced(s: SystemSummary): SystemSummary {
    const f = this.forced.get(s.uuid);
    if (f === undefined) return s;
    if (s.state !== 'stopped' || s.changedAt !== f.changedAt) {
      this.forced.delete(s.uuid);
      return s;
    }
    return { ...s, reason: { code: 'forced-after-timeout', text: f.text } };
  }

  /** The host system's CIM instance (GetInstance of the DSP1042 host). */
  host(): Promise<CimInstance> {
    return this.s.call({ what: 'Reading the host system' }, (c) => c.getInstance(this.s.found.host));
  }

  private async startedAt(): Promise<string> {
    if (this.since === undefined)
      this.since = isoOfCimTimestamp(text(await this.host(), 'TimeOfLastStateChange')) ?? UNKNOWN_TIME;
    return this.since;
  }

  /** Every virtual system, sorted by name. */
  async list(): Promise<Listed[]> {
    const ns = this.s.namespace;
    const all = await this.s.call({ what: 'Listing the virtual systems' }, (c) =>
      c.enumerateInstances('CIM_ComputerSystem', { namespace: ns }),
    );
    const since = await this.startedAt();
    const out: Listed[] = [];
    for (const cs of all) {
      if (cs.path === undefined || this.s.isHost(cs.path)) continue;
      const path = { ...cs.path, namespace: cs.path.namespace ?? ns, host: undefined };
      const summary = summaryOf(cs, since);
      const asked = this.asked.get(summary.uuid);
      const read = asked === undefined ? summary : summaryOf(cs, since, asked);
      out.push({ cs: { ...cs, path }, summary: this.withForced(read) });
    }
    return out.sort((a, b) => a.summary.name.localeCompare(b.summary.name));
  }

  /** A system by name or UUID (any case), or VM_NOT_FOUND naming the host. */
  async find(ref: string): Promise<Listed> {
    const lower = ref.toLowerCase();
    const found = (await this.list()).find((x) => x.summary.name === ref || x.summary.uuid === lower);
    if (found === undefined)
      throw new ApiError('VM_NOT_FOUND', `No virtual system "${ref}" on ${this.s.where}`);
    return found;
  }

  /** A system's settings as the host has them now. */
  settings(x: Listed): Promise<SettingsRead> {
    return readSettings(this.s, x.cs.path, x.summary.name);
  }

  /** A system with its definition and the consoles the host offers (the serial one through its console service). */
  async detail(x: Listed): Promise<SystemDetail> {
    const [{ definition }, consoles] = await Promise.all([this.settings(x), this.consoles()]);
    return { ...x.summary, definition, etag: etagOf(definition), consoles: [...consoles] };
  }

  /** The host's CIM_VirtualSystemManagementService (DSP1042), or NOT_SUPPORTED. */
  async service(): Promise<CimInstanceName> {
    const ns = this.s.namespace;
    const [svc] = await this.s.call({ what: 'Finding the virtual system management service' }, (c) =>
      c.enumerateInstanceNames('CIM_VirtualSystemManagementService', { namespace: ns }),
    );
    if (svc === undefined)
      throw new ApiError(
        'NOT_SUPPORTED',
        `${this.s.where} has no CIM_VirtualSystemManagementService (DSP1042)`,
      );
    return { ...svc, namespace: svc.namespace ?? ns, host: undefined };
  }
}
