import {
  type Api,
  ApiError,
  type ApiMethodName,
  type ApiNamespace,
  METHOD_NAMES,
  METHODS,
  type Principal,
  roleAllows,
} from '../../api/index.js';
import type { Host } from '../host.js';
import { artifactsApi } from './artifacts.js';
import { consolesApi } from './consoles.js';
import type { SessionContext } from './context.js';
import { toApiError } from './errors.js';
import { eventsApi } from './events.js';
import { hostApi } from './host.js';
import { jobsApi } from './jobs.js';
import { metricsApi } from './metrics.js';
import { networksApi } from './networks.js';
import { packagesApi } from './packages.js';
import { checkParams } from './params.js';
import { poolsApi } from './pools.js';
import { systemsApi } from './systems.js';
import { unsupportedNamespace } from './unsupported.js';
import { usersApi } from './users.js';

/**
 * The local host as an {@link Api}, for one principal: the namespace objects (one file each in this folder) behind
 * one guard per method that checks the principal's role against METHODS, checks the parameters as a transport
 * would, and maps whatever the namespace throws through `toApiError`, once. The CLI, the socket server and the
 * CIM providers each hold such a session.
 */

/** How a namespace is built for a session. */
type Factory<N extends ApiNamespace> = (ctx: SessionContext) => Api[N];

/** The namespaces this host implements, besides `host` (built with the list of these). */
const FACTORIES: { [N in Exclude<ApiNamespace, 'host'>]?: Factory<N> } = {
  systems: systemsApi,
  jobs: jobsApi,
  events: eventsApi,
  consoles: consolesApi,
  packages: packagesApi,
  artifacts: artifactsApi,
  pools: poolsApi,
  users: usersApi,
  networks: networksApi,
  metrics: metricsApi,
};

/** The namespaces an in-process session implements (what capabilities report as features). */
function implementedNamespaces(): ReadonlySet<ApiNamespace> {
  return new Set(['host', ...Object.keys(FACTORIES)] as ApiNamespace[]);
}

function denied(principal: Principal, method: ApiMethodName): ApiError {
  const needed = METHODS[method].role;
  return new ApiError(
    'ACCESS_DENIED',
    `${principal.user} (${principal.role}) may not call ${method}: it needs the ${needed} role`,
  );
}

/** Raises what a namespace threw as the Api's error. */
function mapped(e: unknown): never {
  throw toApiError(e);
}

/**
 * The namespace with every method guarded: role, parameters, error mapping. A guarded method is a plain function
 * that hands on the namespace's promise with the mapping attached (one reaction, no async frame of its own: the
 * CIM providers make two Api reads per GetInstance); what the checks or a namespace refuse synchronously comes
 * back as a rejected promise, as from an async function.
 */
function guard<N extends ApiNamespace>(ns: N, impl: Api[N], principal: Principal): Api[N] {
  const methods = impl as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  const out: Record<string, (...a: unknown[]) => Promise<unknown>> = {};
  for (const name of METHOD_NAMES) {
    if (!name.startsWith(`${ns}.`)) continue;
    const member = name.slice(ns.length + 1);
    const needed = METHODS[name].role;
    out[member] = (...args: unknown[]) => {
      let answer: Promise<unknown>;
      try {
        if (!roleAllows(principal.role, needed)) throw denied(principal, name);
        checkParams(name, args);
        const fn = methods[member];
        if (fn === undefined) throw new ApiError('NOT_SUPPORTED', `The local host does not offer ${name}`);
        answer = Promise.resolve(fn.apply(impl, args));
      } catch (e) {
        return Promise.reject(toApiError(e));
      }
      return answer.then(undefined, mapped);
    };
  }
  return out as unknown as Api[N];
}

/**
 * Opens an in-process session on `host` for `principal`. Closing it ends its event subscriptions; the host
 * stays open.
 *
 * @example
 * const api = openSession(host, { user: 'local', role: 'admin', local: true, via: 'in-process' });
 * const job = await api.systems.changeState('web1', 'start', { waitMs: Number.POSITIVE_INFINITY });
 */
export function openSession(host: Host, principal: Principal): Api {
  const ctx: SessionContext = { host, principal };
  const closers: (() => Promise<void>)[] = [];
  const build = <N extends ApiNamespace>(ns: N): Api[N] => {
    const factory = (
      ns === 'host'
        ? (c: SessionContext) => hostApi(c, implementedNamespaces())
        : FACTORIES[ns as Exclude<N, 'host'>]
    ) as Factory<N> | undefined;
    const impl = factory === undefined ? unsupportedNamespace(ns) : factory(ctx);
    const close = (impl as { closeSession?: () => Promise<void> }).closeSession;
    if (close !== undefined) closers.push(close);
    return guard(ns, impl, principal);
  };
  return {
    host: build('host'),
    systems: build('systems'),
    jobs: build('jobs'),
    events: build('events'),
    packages: build('packages'),
    artifacts: build('artifacts'),
    consoles: build('consoles'),
    pools: build('pools'),
    users: build('users'),
    networks: build('networks'),
    metrics: build('metrics'),
    async close() {
      await Promise.all(closers.splice(0).map((c) => c().catch(() => undefined)));
    },
  };
}
