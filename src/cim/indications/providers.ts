import { INTEROP_NAMESPACE } from '../classes/index.js';
import { cimTimestamp } from '../datetime.js';
import { CimError } from '../errors.js';
import { C } from '../naming.js';
import type { CimContext, InstanceProvider } from '../provider.js';
import type { ClassRepository } from '../repository.js';
import type { CimInstance, CimInstanceName } from '../types.js';
import type { CourierStats, RetryPolicy } from './courier.js';
import type { IndicationEngine } from './engine.js';
import {
  destinationRecord,
  filterRecord,
  nameKey,
  subscriptionRecord,
  VESSEL_DESTINATION,
} from './manage.js';
import type { DestinationRecord, FilterRecord, IndicationStore } from './store.js';

/** What the subscription providers share. */
export interface SubscriptionEnv {
  hostName: string;
  repo: ClassRepository;
  store: IndicationStore;
  engine: IndicationEngine;
  retry: RetryPolicy;
}

const FILTER = 'CIM_IndicationFilter';
const DESTINATION = 'CIM_ListenerDestinationCIMXML';
const SUBSCRIPTION = 'CIM_IndicationSubscription';
const SERVICE = 'CIM_IndicationService';

/** Only an admin creates and deletes subscriptions: a destination makes the host send requests (DSP1054 §8). */
function admin(ctx: CimContext, what: string): void {
  if (ctx.role !== 'admin')
    throw new CimError(
      'CIM_ERR_ACCESS_DENIED',
      `Only an admin may ${what} (the caller "${ctx.user}" is ${ctx.role})`,
    );
}

function keysOf(env: SubscriptionEnv, className: string, name: string): CimInstanceName {
  return {
    className,
    keys: {
      SystemCreationClassName: C.host,
      SystemName: env.hostName,
      CreationClassName: className,
      Name: name,
    },
    namespace: INTEROP_NAMESPACE,
  };
}

function filterInstance(env: SubscriptionEnv, f: FilterRecord): CimInstance {
  const path = keysOf(env, FILTER, f.name);
  return {
    className: FILTER,
    properties: {
      ...path.keys,
      ElementName: f.name,
      Query: f.query,
      QueryLanguage: f.queryLanguage,
      SourceNamespace: f.sourceNamespaces[0],
      SourceNamespaces: f.sourceNamespaces,
      IndividualSubscriptionSupported: 'true',
    },
    path,
  };
}

function destinationInstance(env: SubscriptionEnv, d: DestinationRecord): CimInstance {
  const path = keysOf(env, d.className, d.name);
  const i: CimInstance = {
    className: d.className,
    properties: {
      ...path.keys,
      ElementName: d.name,
      Destination: d.destination,
      PersistenceType: String(d.persistenceType),
      Protocol: '2',
    },
    path,
  };
  if (d.className === VESSEL_DESTINATION) {
    i.properties.VerifyCertificate = String(d.verifyCertificate);
    i.properties.TrustedCertificate = d.trustedCertificate;
  }
  return i;
}

function info(s: CourierStats | undefined): string | undefined {
  if (!s) return undefined;
  return `delivered ${s.delivered}, failed ${s.failed}, dropped ${s.dropped}, queued ${s.queued}${s.lastError ? `; last error: ${s.lastError}` : ''}`;
}

function filterProvider(env: SubscriptionEnv): InstanceProvider {
  const state = env.store.state;
  return {
    className: FILTER,
    enumerate: () => state.filters.map((f) => filterInstance(env, f)),
    async create(ctx, inst) {
      admin(ctx, 'create indication filters');
      const r = filterRecord(inst, env.repo, ctx.user);
      if (state.filters.some((f) => f.name === r.name))
        throw new CimError('CIM_ERR_ALREADY_EXISTS', `Indication filter "${r.name}" already exists`);
      env.store.checkRoom('filters');
      state.filters.push(r);
      await env.store.save();
      return keysOf(env, FILTER, r.name);
    },
    async delete(ctx, name) {
      admin(ctx, 'delete indication filters');
      const n = nameKey(name);
      const users = state.subscriptions.filter((s) => s.filter === n).length;
      if (users > 0)
        throw new CimError(
          'CIM_ERR_FAILED',
          `Indication filter "${n}" is used by ${users} subscription(s); delete them first`,
        );
      state.filters = state.filters.filter((f) => f.name !== n);
      env.engine.dropFilter(n);
      await env.store.save();
    },
  };
}

function destinationProvider(env: SubscriptionEnv, className: string): InstanceProvider {
  const state = env.store.state;
  return {
    className,
    enumerate: () =>
      state.destinations.filter((d) => d.className === className).map((d) => destinationInstance(env, d)),
    async create(ctx, inst) {
      admin(ctx, 'create listener destinations');
      const r = destinationRecord({ ...inst, className }, ctx.user);
      if (state.destinations.some((d) => d.name === r.name))
        throw new CimError('CIM_ERR_ALREADY_EXISTS', `Listener destination "${r.name}" already exists`);
      env.store.checkRoom('destinations');
      state.destinations.push(r);
      await env.store.save();
      return keysOf(env, className, r.name);
    },
    async delete(ctx, name) {
      admin(ctx, 'delete listener destinations');
      const n = nameKey(name);
      const users = state.subscriptions.filter((s) => s.handler === n).length;
      if (users > 0)
        throw new CimError(
          'CIM_ERR_FAILED',
          `Listener destination "${n}" is used by ${users} subscription(s); delete them first`,
        );
      state.destinations = state.destinations.filter((d) => d.name !== n);
      env.engine.dropDestination(n);
      await env.store.save();
    },
  };
}

function subscriptionProvider(env: SubscriptionEnv): InstanceProvider {
  const state = env.store.state;
  const instanceOf = (s: (typeof state.subscriptions)[number]): CimInstance | undefined => {
    const d = state.destinations.find((x) => x.name === s.handler);
    if (!d) return undefined;
    return {
      className: SUBSCRIPTION,
      properties: {
        Filter: keysOf(env, FILTER, s.filter),
        Handler: keysOf(env, d.className, d.name),
        SubscriptionState: String(s.state),
        OnFatalErrorPolicy: String(s.onFatalErrorPolicy),
        SubscriptionStartTime: cimTimestamp(new Date(s.startTime)),
        TimeOfLastStateChange: cimTimestamp(new Date(s.changedAt)),
        SubscriptionInfo: info(env.engine.stats(d.name)),
      },
    };
  };
  return {
    className: SUBSCRIPTION,
    enumerate: () => state.subscriptions.map(instanceOf).filter((i): i is CimInstance => i !== undefined),
    async create(ctx, inst) {
      admin(ctx, 'create indication subscriptions');
      const r = subscriptionRecord(inst, ctx.user);
      const d = state.destinations.find((x) => x.name === r.handler);
      if (!state.filters.some((f) => f.name === r.filter))
        throw new CimError(
          'CIM_ERR_INVALID_PARAMETER',
          `Indication filter "${r.filter.slice(0, 256)}" does not exist`,
        );
      if (!d)
        throw new CimError(
          'CIM_ERR_INVALID_PARAMETER',
          `Listener destination "${r.handler.slice(0, 256)}" does not exist`,
        );
      if (state.subscriptions.some((s) => s.filter === r.filter && s.handler === r.handler))
        throw new CimError(
          'CIM_ERR_ALREADY_EXISTS',
          `Filter "${r.filter}" is already subscribed to "${r.handler}"`,
        );
      env.store.checkRoom('subscriptions');
      state.subscriptions.push(r);
      await env.store.save();
      return {
        className: SUBSCRIPTION,
        keys: { Filter: keysOf(env, FILTER, r.filter), Handler: keysOf(env, d.className, d.name) },
        namespace: INTEROP_NAMESPACE,
      };
    },
    async delete(ctx, name) {
      admin(ctx, 'delete indication subscriptions');
      const f = name.keys.Filter;
      const h = name.keys.Handler;
      if (typeof f === 'string' || typeof h === 'string' || !f || !h)
        throw new CimError(
          'CIM_ERR_INVALID_PARAMETER',
          'A subscription is named by its Filter and Handler references',
        );
      const fn = nameKey(f);
      const hn = nameKey(h);
      const at = state.subscriptions.findIndex((s) => s.filter === fn && s.handler === hn);
      if (at < 0) throw new CimError('CIM_ERR_NOT_FOUND', `No subscription of "${fn}" to "${hn}"`);
      state.subscriptions.splice(at, 1);
      await env.store.save();
    },
  };
}

function serviceProvider(env: SubscriptionEnv): InstanceProvider {
  return {
    className: SERVICE,
    enumerate: () => [
      {
        className: SERVICE,
        properties: {
          SystemCreationClassName: C.host,
          SystemName: env.hostName,
          CreationClassName: SERVICE,
          Name: 'Vessel:IndicationService',
          ElementName: 'Indication Service',
          EnabledState: '2',
          FilterCreationEnabled: 'true',
          DeliveryRetryAttempts: String(env.retry.attempts),
          DeliveryRetryInterval: String(Math.ceil(env.retry.intervalMs / 1000)),
          SubscriptionRemovalAction: '4',
        },
      },
    ],
  };
}

/**
 * The providers of DSP1054's subscription classes in root/interop: CIM_IndicationFilter,
 * CIM_ListenerDestinationCIMXML (and Vessel_ListenerDestinationCIMXML), CIM_IndicationSubscription, created and
 * deleted by admins through CreateInstance/DeleteInstance and kept in the host's indication store, and the
 * CIM_IndicationService with the delivery retry policy. A filter or destination in use cannot be deleted.
 */
export function subscriptionProviders(env: SubscriptionEnv): InstanceProvider[] {
  return [
    filterProvider(env),
    destinationProvider(env, DESTINATION),
    destinationProvider(env, VESSEL_DESTINATION),
    subscriptionProvider(env),
    serviceProvider(env),
  ];
}
