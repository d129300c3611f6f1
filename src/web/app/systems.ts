import { signal } from '@preact/signals';
import { api } from './http.js';
import type { HostEvent, SystemView, TargetState } from './types.js';

/** The systems the UI knows, by UUID, kept current by the host's events. */
export const systems = signal<ReadonlyMap<string, SystemView>>(new Map());
/** Whether the list was loaded, and whether the event stream is open. */
export const loaded = signal(false);
export const live = signal(false);

let source: EventSource | undefined;

/**
 * Systems an event said are gone (until an event defines them again): a read the host answered before that event
 * may arrive after it, and must not bring them back.
 */
const gone = new Set<string>();

/**
 * A system as read from the host, against what the UI already knows: a read answered before a state change may
 * arrive after the change's event, so the newer state (by `changedAt`) wins; the rest is the read's.
 */
function fresher(known: SystemView | undefined, read: SystemView): SystemView {
  if (known === undefined || known.changedAt <= read.changedAt) return read;
  return { ...read, state: known.state, reason: known.reason, changedAt: known.changedAt };
}

/** Puts a system read from the host (see {@link fresher}); one an event said is gone stays gone. */
function put(s: SystemView): void {
  if (gone.has(s.uuid)) return;
  const next = new Map(systems.value);
  next.set(s.uuid, fresher(systems.value.get(s.uuid), s));
  systems.value = next;
}

/** Loads every system with its definition (following the pages). */
export async function loadSystems(): Promise<void> {
  const all = new Map<string, SystemView>();
  let after: string | undefined;
  do {
    const q = new URLSearchParams({ detail: 'true', limit: '500' });
    if (after !== undefined) q.set('after', after);
    const page = await api<{ items: SystemView[]; next?: string }>('GET', `/systems?${q}`);
    for (const s of page.items) all.set(s.uuid, s);
    after = page.next;
  } while (after !== undefined);
  // Events applied while the pages were read are newer than the pages may be: keep their states and the systems
  // they defined, and leave out those they said are gone.
  const now = new Map<string, SystemView>();
  for (const [uuid, s] of all) if (!gone.has(uuid)) now.set(uuid, fresher(systems.value.get(uuid), s));
  for (const [uuid, s] of systems.value) if (!now.has(uuid) && !gone.has(uuid)) now.set(uuid, s);
  systems.value = now;
  loaded.value = true;
}

/** Reads one system again (after a change of its definition), by name or UUID. */
export async function refresh(ref: string): Promise<SystemView> {
  const s = await api<SystemView>('GET', `/systems/${encodeURIComponent(ref)}`);
  put(s);
  return s;
}

const refreshing = new Map<string, Promise<unknown>>();

/** Reads a system again, one read per system at a time (a replay of many events costs one or two reads). */
function refreshOnce(uuid: string): void {
  if (refreshing.has(uuid)) return;
  const p = refresh(uuid)
    .catch(() => undefined)
    .finally(() => refreshing.delete(uuid));
  refreshing.set(uuid, p);
}

/** Systems to read again once the events that arrived together are all applied. */
const stale = new Set<string>();
let flush: ReturnType<typeof setTimeout> | undefined;

/**
 * Reads a defined or modified system again a moment later, unless an event meanwhile says it is gone: a page
 * opened after a system was defined and undefined gets both events in the replay, and reading the system between
 * them would ask the host for one it no longer has (a 404 the browser logs as an error).
 */
function refreshSoon(uuid: string): void {
  stale.add(uuid);
  flush ??= setTimeout(() => {
    flush = undefined;
    for (const u of stale) refreshOnce(u);
    stale.clear();
  }, 50);
}

function apply(e: HostEvent): void {
  if (e.uuid === undefined) return;
  const known = systems.value.get(e.uuid);
  if (e.type === 'system.state' && known !== undefined && e.state !== undefined) {
    // The stream first replays stored events: one older than what the list showed changes nothing.
    if (e.time !== undefined && e.time < known.changedAt) return;
    put({
      ...known,
      state: e.state,
      ...(e.reason === undefined ? {} : { reason: e.reason }),
      ...(e.time === undefined ? {} : { changedAt: e.time }),
    });
  } else if (e.type === 'system.undefined') {
    stale.delete(e.uuid);
    gone.add(e.uuid);
    const next = new Map(systems.value);
    next.delete(e.uuid);
    systems.value = next;
  } else if (e.type === 'system.defined' || e.type === 'system.modified') {
    if (e.type === 'system.defined') gone.delete(e.uuid);
    refreshSoon(e.uuid);
  }
}

/**
 * Follows the host's system events (GET /api/v1/events, Server-Sent Events): the browser reconnects by itself
 * and sends Last-Event-ID, so nothing is missed across a drop.
 */
export function followEvents(): void {
  if (source !== undefined) return;
  const q = new URLSearchParams();
  for (const t of ['system.state', 'system.defined', 'system.modified', 'system.undefined'])
    q.append('type', t);
  source = new EventSource(`/api/v1/events?${q}`);
  source.onopen = () => {
    live.value = true;
  };
  source.onerror = () => {
    live.value = false;
  };
  const onEvent = (m: MessageEvent<string>) => {
    try {
      apply(JSON.parse(m.data) as HostEvent);
    } catch {
      // a malformed event is skipped
    }
  };
  for (const t of ['system.state', 'system.defined', 'system.modified', 'system.undefined'])
    source.addEventListener(t, onEvent);
}

/** Stops following the events and forgets the systems (logout). */
export function forget(): void {
  source?.close();
  source = undefined;
  clearTimeout(flush);
  flush = undefined;
  stale.clear();
  gone.clear();
  live.value = false;
  loaded.value = false;
  systems.value = new Map();
}

/** Asks for a state; answers when the host's job ended (the event updates the list). */
export async function changeState(s: SystemView, state: TargetState): Promise<void> {
  const job = await api<{ result?: SystemView }>(
    'POST',
    `/systems/${encodeURIComponent(s.uuid)}/state`,
    { state },
    { Prefer: 'wait=30' },
  );
  const known = systems.value.get(s.uuid);
  if (job.result !== undefined && known !== undefined)
    put({ ...known, state: job.result.state, reason: job.result.reason });
}
