import { ApiError, type Capabilities, type SystemDetail, type SystemSummary } from '../api/index.js';
import { toCimError } from './methods/errors-map.js';
import { type CimContext, memoAsync } from './provider.js';
import type { ProviderEnv } from './providers/env.js';

/**
 * The virtual systems as one CIM operation sees them: read through the caller's Api session once per operation, so
 * one answer is one consistent picture of the host. A system is the Api's {@link SystemDetail} (state, reason,
 * requested change, definition).
 */

/**
 * Every virtual system with its definition (`systems.list({ detail: true })`, one store read).
 *
 * @example
 * const rasds = (await allSystems(ctx, env)).flatMap((s) => s.definition.resources);
 */
export function allSystems(ctx: CimContext, env: ProviderEnv): Promise<SystemDetail[]> {
  return memoAsync(ctx, 'systems', () => env.api(ctx).systems.list({ detail: true }), raised);
}

/** Every virtual system without its definition, unless the operation read them with definitions already. */
export function systemSummaries(ctx: CimContext, env: ProviderEnv): Promise<SystemSummary[]> {
  const all = ctx.memo.get('systems') as Promise<SystemDetail[]> | undefined;
  if (all) return all;
  return memoAsync(ctx, 'summaries', () => env.api(ctx).systems.list(), raised);
}

/**
 * One virtual system by name (not UUID: CIM names systems by name), from the operation's snapshot when there is
 * one; undefined when there is no such system.
 */
export function oneSystem(
  ctx: CimContext,
  env: ProviderEnv,
  name: string,
): Promise<SystemDetail | undefined> {
  const all = ctx.memo.get('systems') as Promise<SystemDetail[]> | undefined;
  if (all) return all.then((list) => list.find((s) => s.name === name));
  // The Api answers a UUID too: a system found by another name is not this one.
  const named = (s: SystemDetail): SystemDetail | undefined => (s.name === name ? s : undefined);
  return memoAsync(ctx, `system:${name}`, () => env.api(ctx).systems.get(name), notFound, named);
}

/** A system that is not there (or a name no system can have: too long, a `/`) is undefined; the rest is raised. */
function notFound(e: unknown): undefined {
  if (e instanceof ApiError && (e.code === 'VM_NOT_FOUND' || e.code === 'INVALID_ARGUMENT')) return undefined;
  throw toCimError(e);
}

/** The host's capabilities (driver, limits, the state changes it runs), read once per operation. */
export function capabilitiesOf(ctx: CimContext, env: ProviderEnv): Promise<Capabilities> {
  return memoAsync(ctx, 'capabilities', () => env.api(ctx).host.capabilities(), raised);
}

/** An Api read's failure, raised as CIM. */
function raised(e: unknown): never {
  throw toCimError(e);
}
