import { INTEROP_NAMESPACE } from '../classes/index.js';
import type { ObjectManager } from '../object-manager.js';
import type { ApiFactory } from '../service.js';
import { DEFAULT_RETRY, type RetryPolicy } from './courier.js';
import { IndicationEngine, type IndicationSender } from './engine.js';
import { subscriptionProviders } from './providers.js';
import { IndicationStore } from './store.js';

export { Courier, type CourierStats, DEFAULT_RETRY, type RetryPolicy } from './courier.js';
export { IndicationEngine, type IndicationSender, type IndicationSink } from './engine.js';
export { type CompiledFilter, compileFilter } from './filter.js';
export { SOURCE_CLASS, SOURCE_NAMESPACE, VESSEL_DESTINATION } from './manage.js';
export { indicationsOf, modelPath } from './of-event.js';
export {
  type DestinationRecord,
  type FilterRecord,
  INDICATIONS_FILE,
  IndicationStore,
  MAX_SUBSCRIPTION_OBJECTS,
  type SubscriptionRecord,
  type WsEventingRecord,
} from './store.js';

/** Options of {@link startIndications}. */
export interface IndicationsOptions {
  om: ObjectManager;
  /** Opens the engine's admin session of the host. */
  api: ApiFactory;
  hostName: string;
  /** The store file (the state directory's indications.json); absent = in memory. */
  file?: string | undefined;
  /** Sends ExportIndication to a CIM-XML destination (src/wbem/cimxml's exportSender). */
  send: IndicationSender;
  retry?: Partial<RetryPolicy> | undefined;
}

/** The running indications of a host: the engine, its store, and how to stop it. */
export interface Indications {
  engine: IndicationEngine;
  store: IndicationStore;
  close(): Promise<void>;
}

/**
 * Starts the indications of a CIM service (DSP1054): opens the store, registers the subscription providers in
 * root/interop and starts the engine on an admin session of the host named `vessel-indications`.
 *
 * @example
 * const ind = await startIndications({ om: service.om, api, hostName, file: join(stateDir, INDICATIONS_FILE), send });
 */
export async function startIndications(o: IndicationsOptions): Promise<Indications> {
  const store = await IndicationStore.open(o.file);
  const api = o.api({ user: 'vessel-indications', role: 'admin', local: false, via: 'cimxml' });
  const retry = { ...DEFAULT_RETRY, ...o.retry };
  const engine = new IndicationEngine({ om: o.om, store, hostName: o.hostName, api, send: o.send, retry });
  for (const p of subscriptionProviders({ hostName: o.hostName, repo: o.om.repo, store, engine, retry }))
    o.om.register(INTEROP_NAMESPACE, p);
  try {
    await engine.start();
  } catch (e) {
    await api.close().catch(() => undefined);
    throw e;
  }
  return {
    engine,
    store,
    close: async () => {
      await engine.close();
      await api.close().catch(() => undefined);
    },
  };
}
