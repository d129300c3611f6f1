import type { LibvirtEvent } from '../../libvirt/index.js';
import type { DomainInfo, DriverEvent, VmState } from '../types.js';
import { lifecycleEvent } from './states.js';
import { uuidText } from './uuid.js';

/**
 * The libvirt driver's events: lifecycle events become state changes (one per change: libvirt's QEMU driver says
 * "started" and then "resumed" for one start), caused by the `api` when this driver's own call announced that
 * state, by the `guest` when libvirt says so, by the `host` otherwise (virsh, another client); after a reconnect
 * the states read again are compared with the last ones, and what changed meanwhile is announced too.
 *
 * @example
 * const events = new DomainEvents(); events.subscribe((e) => console.log(e.state)); client.onEvent((e) => events.libvirt(e));
 */
export class DomainEvents {
  private readonly listeners = new Set<(e: DriverEvent) => void>();
  /** The state each system's last event left, to drop events that change nothing. */
  private readonly lastState = new Map<string, VmState>();
  /** States this driver's own calls are about to cause, by UUID: their events are `api`, others `host`. */
  private readonly expected = new Map<string, { state: VmState; until: number }[]>();

  subscribe(listener: (e: DriverEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(e: DriverEvent): void {
    for (const l of this.listeners) l(e);
  }

  /** Notes a system's state without announcing it (at open, after a define). */
  note(uuid: string, state: VmState, onlyIfUnknown = false): void {
    if (!onlyIfUnknown || !this.lastState.has(uuid)) this.lastState.set(uuid, state);
  }

  /** A state one of the driver's calls is about to cause (its event is then `api`, within 10 s). */
  expect(uuid: string, state: VmState): void {
    const list = this.expected.get(uuid) ?? [];
    list.push({ state, until: Date.now() + 10_000 });
    this.expected.set(uuid, list);
  }

  /** A libvirt event of the connection. */
  libvirt(e: LibvirtEvent): void {
    if (e.procedure !== 'DOMAIN_EVENT_CALLBACK_LIFECYCLE') return;
    const { dom, event, detail } = e.msg.msg;
    const ev = lifecycleEvent(event, detail);
    if (ev.state === undefined) return;
    const uuid = uuidText(dom.uuid);
    if (this.lastState.get(uuid) === ev.state) return;
    this.lastState.set(uuid, ev.state);
    const cause = ev.guest ? 'guest' : this.ours(uuid, ev.state) ? 'api' : 'host';
    this.emit({ uuid, kind: 'state', state: ev.state, reason: ev.reason, cause, time: new Date() });
  }

  /**
   * After a reconnect: the states read again; what changed while libvirtd was away (a guest that shut down, a
   * domain virsh started) is announced as a `host` event, as if the lost lifecycle events had come.
   */
  reread(domains: readonly DomainInfo[]): void {
    for (const d of domains) {
      if (this.lastState.get(d.uuid) === d.state) continue;
      const known = this.lastState.has(d.uuid);
      this.lastState.set(d.uuid, d.state);
      if (!known) continue; // a domain defined meanwhile: the host finds it in the next list
      this.emit({
        uuid: d.uuid,
        kind: 'state',
        state: d.state,
        reason: `${d.reason ?? d.state} (read again after reconnecting to libvirtd)`,
        cause: 'host',
        time: new Date(),
      });
    }
  }

  /** Whether an event to `state` is the one a call of this driver announced (consumed once). */
  private ours(uuid: string, state: VmState): boolean {
    const now = Date.now();
    const list = (this.expected.get(uuid) ?? []).filter((x) => x.until > now);
    const i = list.findIndex((x) => x.state === state);
    if (i >= 0) list.splice(i, 1);
    if (list.length > 0) this.expected.set(uuid, list);
    else this.expected.delete(uuid);
    return i >= 0;
  }
}
