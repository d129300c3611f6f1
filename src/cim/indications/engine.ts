import type { Api, ApiEvent, Subscription } from '../../api/index.js';
import { CimError } from '../errors.js';
import { systemPath } from '../naming.js';
import type { ObjectManager } from '../object-manager.js';
import { newContext } from '../provider.js';
import type { CimInstance } from '../types.js';
import { Courier, type CourierStats, DEFAULT_RETRY, type RetryPolicy } from './courier.js';
import { type CompiledFilter, compileFilter } from './filter.js';
import { SOURCE_CLASS, SOURCE_NAMESPACE } from './manage.js';
import { indicationsOf } from './of-event.js';
import type { DestinationRecord, IndicationStore, SubscriptionRecord } from './store.js';

/** Sends one indication to a CIM-XML destination (ExportIndication, from the protocol edge); throws on failure. */
export type IndicationSender = (destination: DestinationRecord, indication: CimInstance) => Promise<void>;

/** A subscriber that is not a stored subscription (WS-Eventing's): it gets what its filter matches. */
export interface IndicationSink {
  filter: CompiledFilter;
  deliver(indication: CimInstance): void;
}

/** Options of {@link IndicationEngine}. */
export interface IndicationEngineOptions {
  om: ObjectManager;
  store: IndicationStore;
  hostName: string;
  /** An admin session of the host: the engine reads events and systems through it. */
  api: Api;
  send: IndicationSender;
  retry?: Partial<RetryPolicy> | undefined;
  /** Most events replayed at start from those recorded while the engine was not running. */
  maxReplay?: number | undefined;
}

const EVENT_TYPES = [
  'system.state',
  'system.defined',
  'system.modified',
  'system.undefined',
  'guest.panic',
  'job.finished',
] as const;

/**
 * The indication engine (DSP1054): turns the host's events into indications, matches them against every
 * enabled subscription's filter and every sink (WS-Eventing), and hands them to one {@link Courier} per
 * destination, which delivers with retries and never blocks the host. Events are handled one at a time, in
 * order; the last one handled is saved, so a restart delivers what happened while it was down (at most
 * `maxReplay` events).
 *
 * @example
 * const engine = new IndicationEngine({ om, store, hostName, api, send: exportSender() });
 * await engine.start();
 */
export class IndicationEngine {
  private readonly couriers = new Map<string, Courier>();
  private readonly filters = new Map<string, CompiledFilter>();
  private readonly sinks = new Set<IndicationSink>();
  private readonly cache = new Map<string, CimInstance>();
  private readonly policy: RetryPolicy;
  private chain: Promise<void> = Promise.resolve();
  private sub: Subscription | undefined;
  private saveTimer: NodeJS.Timeout | undefined;
  private closed = false;
  readonly sequenceContext: string;

  constructor(private readonly o: IndicationEngineOptions) {
    this.policy = { ...DEFAULT_RETRY, ...o.retry };
    this.sequenceContext = `${o.hostName}:${Date.now().toString(36)}`;
  }

  /** Follows the host's events from the last one handled (or from now, the first time). */
  async start(): Promise<void> {
    const api = this.o.api;
    const newest = await newestSeq(api);
    const last = this.o.store.state.lastSeq ?? newest;
    const after = Math.max(last, newest - (this.o.maxReplay ?? 1000), 0);
    await this.seed();
    this.sub = await api.events.subscribe({ after, types: [...EVENT_TYPES] }, (e) => {
      this.chain = this.chain.then(() => this.handle(e)).catch(() => undefined);
    });
  }

  /** Stops following events and delivering; what waits is dropped. */
  async close(): Promise<void> {
    this.closed = true;
    await this.sub?.close();
    for (const c of this.couriers.values()) c.close();
    this.couriers.clear();
    this.sinks.clear();
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
      await this.o.store.save().catch(() => undefined);
    }
    await this.o.store.settled();
  }

  /** Waits until every event received so far is handled (tests, shutdown). */
  settled(): Promise<void> {
    return this.chain;
  }

  /** Adds a sink; the function removes it. */
  addSink(sink: IndicationSink): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  /** The delivery counters of a destination, when it has had deliveries. */
  stats(destination: string): CourierStats | undefined {
    return this.couriers.get(destination)?.stats;
  }

  /** Forgets a destination's courier (the destination was deleted): what waits for it is dropped. */
  dropDestination(name: string): void {
    this.couriers.get(name)?.close();
    this.couriers.delete(name);
  }

  /** Forgets a compiled filter (the filter was deleted). */
  dropFilter(name: string): void {
    this.filters.delete(name);
  }

  /** The compiled filter of a stored filter. */
  private compiled(name: string): CompiledFilter | undefined {
    let f = this.filters.get(name);
    if (f) return f;
    const r = this.o.store.state.filters.find((x) => x.name === name);
    if (!r) return undefined;
    f = compileFilter(r.query, r.queryLanguage, this.o.om.repo.namespace(SOURCE_NAMESPACE), SOURCE_CLASS);
    this.filters.set(name, f);
    return f;
  }

  private async seed(): Promise<void> {
    try {
      const ctx = newContext('vessel-indications', 'admin');
      for (const i of await this.o.om.enumerateInstances(ctx, SOURCE_NAMESPACE, SOURCE_CLASS))
        this.remember(i);
    } catch {
      // no cache: PreviousInstance is left out until a system changes once
    }
  }

  private remember(i: CimInstance): void {
    const ids = i.properties.OtherIdentifyingInfo;
    const uuid = Array.isArray(ids) && typeof ids[0] === 'string' ? ids[0] : undefined;
    if (uuid) this.cache.set(uuid, i);
  }

  private async current(e: ApiEvent): Promise<CimInstance | undefined> {
    if (!('system' in e) || e.type === 'system.undefined') return undefined;
    try {
      const ctx = newContext('vessel-indications', 'admin');
      return await this.o.om.getInstance(ctx, SOURCE_NAMESPACE, systemPath(e.system));
    } catch (err) {
      if (err instanceof CimError) return undefined;
      throw err;
    }
  }

  private async handle(e: ApiEvent): Promise<void> {
    if (this.closed) return;
    const uuid = 'uuid' in e ? e.uuid : undefined;
    const previous = uuid ? this.cache.get(uuid) : undefined;
    const current = await this.current(e);
    const list = indicationsOf(e, {
      hostName: this.o.hostName,
      sequenceContext: this.sequenceContext,
      current,
      previous,
    });
    if (uuid) {
      const source = list.find((i) => i.className !== 'CIM_AlertIndication')?.properties.SourceInstance;
      if (e.type === 'system.undefined') this.cache.delete(uuid);
      else if (source && typeof source === 'object' && 'className' in source && 'properties' in source)
        this.cache.set(uuid, source as CimInstance);
    }
    for (const ind of list) this.dispatch(ind);
    this.o.store.state.lastSeq = e.seq;
    this.scheduleSave();
  }

  private dispatch(ind: CimInstance): void {
    const state = this.o.store.state;
    for (const s of state.subscriptions) {
      if (s.state !== 2) continue;
      const f = this.compiled(s.filter);
      const d = state.destinations.find((x) => x.name === s.handler);
      if (!f || !d || !f.matches(ind)) continue;
      const copy: CimInstance = { ...ind, properties: { ...ind.properties, IndicationFilterName: s.filter } };
      this.courier(d).push(copy, () => this.onFatal(s));
    }
    for (const sink of this.sinks) {
      if (!sink.filter.matches(ind)) continue;
      try {
        sink.deliver(ind);
      } catch {
        // a failing sink does not stop the others
      }
    }
  }

  private courier(d: DestinationRecord): Courier {
    let c = this.couriers.get(d.name);
    if (!c) {
      c = new Courier((i) => this.o.send(d, i), this.policy);
      this.couriers.set(d.name, c);
    }
    return c;
  }

  /** OnFatalErrorPolicy (DSP1054 §7.4): 2 Ignore, 3 Disable (SubscriptionState 4), 4 Remove. */
  private onFatal(s: SubscriptionRecord): void {
    const subs = this.o.store.state.subscriptions;
    if (s.onFatalErrorPolicy === 3 && s.state !== 4) {
      s.state = 4;
      s.changedAt = new Date().toISOString();
    } else if (s.onFatalErrorPolicy === 4) {
      const at = subs.indexOf(s);
      if (at >= 0) subs.splice(at, 1);
    } else return;
    void this.o.store.save().catch(() => undefined);
  }

  private scheduleSave(): void {
    // Without subscriptions there is nothing to deliver after a restart: the host's events are not written for it.
    if (this.saveTimer || this.closed || this.o.store.state.subscriptions.length === 0) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      void this.o.store.save().catch(() => undefined);
    }, 1000);
    this.saveTimer.unref();
  }
}

/** The newest event's seq (0 when there is none). */
async function newestSeq(api: Api): Promise<number> {
  let after = 0;
  for (let page = 0; page < 1000; page++) {
    const list = await api.events.list({ after, limit: 10_000 });
    if (list.length === 0) return after;
    after = list[list.length - 1]!.seq;
    if (list.length < 10_000) return after;
  }
  return after;
}
