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
  return memoAsync(ctx, 'systems', () => call(() => env.api(ctx).systems.list({ detail: true })));
}

/** Every virtual system without its definition, unless the operation read them with definitions already. */
export function systemSummaries(ctx: CimContext, env: ProviderEnv): Promise<SystemSummary[]> {
  const all = ctx.memo.get('systems') as Promise<SystemDetail[]> | undefined;
  if (all) return all;
  return memoAsync(ctx, 'summaries', () => call(() => env.api(ctx).systems.list()));
}

/**
 * One virtual system by name (not UUID: CIM names systems by name), from the operation's snapshot when there is
 * one; undefined when there is no such system.
 */
export async function oneSystem(
  ctx: CimContext,
  env: ProviderEnv,
  name: string,
): Promise<SystemDetail | undefined> {
  const all = ctx.memo.get('systems') as Promise<SystemDetail[]> | undefined;
  if (all) return (await all).find((s) => s.name === name);
  return memoAsync(ctx, `system:${name}`, async () => {
    try {
      const s = await env.api(ctx).systems.get(name);
      return s.name === name ? s : undefined;
    } catch (e) {
      // A name no system can have (too long, a `/`) is not found either.
      if (e instanceof ApiError && (e.code === 'VM_NOT_FOUND' || e.code === 'INVALID_ARGUMENT'))
        return undefined;
      throw toCimError(e);
    }
  });
}

/** The host's capabilities (driver, limits, the state changes it runs), read once per operation. */
export function capabilitiesOf(ctx: CimContext, env: ProviderEnv): Promise<Capabilities> {
  return memoAsync(ctx, 'capabilities', () => call(() => env.api(ctx).host.capabilities()));
}

/** An Api read whose failure is raised as CIM. */
async function call<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (e) {
    throw toCimError(e);
  }
}
